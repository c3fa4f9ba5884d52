import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { isDomainError } from '../../src/core/errors.ts';
import { addClient, updateClientBranding } from '../../src/services/oidc/clients.ts';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';
import { authorizationUrl, followInBrowser, registerShop, SHOP_CALLBACK, startIssuer } from '../support/oidc.ts';
import { STORY_ENV } from '../support/story.ts';

const LOGO = 'https://cdn.maple.example/logo.png';

const refusedWith = (pattern: RegExp) => (error: unknown) =>
  isDomainError(error) && error.code === 'INVALID_INPUT' && pattern.test(String(error.details.reason));

/**
 * Issue 25, "whose shop is this?": the sign-in, sign-up and consent pages of an authorization show the
 * shop's logo and its own support contact beside its name; the logo's address, and only on those pages,
 * is allowed in the Content-Security-Policy; the shop's `ui_locales` chooses the page's language.
 */
forEachStore('a shop shows itself on its customers’ sign-in pages', (store) => {
  let m: TestMamori & { issuer: string };
  beforeEach(async () => {
    m = await startIssuer(store, STORY_ENV);
  });
  afterEach(async () => {
    await m.close();
  });

  async function signInPageFor(shop: Awaited<ReturnType<typeof registerShop>>, extra: Record<string, string> = {}) {
    const browser = new TestClient(m.app);
    const start = await authorizationUrl(shop, extra);
    const page = await followInBrowser(browser, start.url, m.issuer);
    assert.match(page.url.pathname, /^\/interaction\//, 'the sign-in form answers at the interaction itself');
    const again = await browser.get(page.url.pathname + page.url.search);
    return { browser, page, headers: again.headers };
  }

  test('logo and support contact on sign-in and sign-up; the CSP allows that logo there and nowhere else', async () => {
    const shop = await registerShop(m, { name: 'Cedar Books' });
    await updateClientBranding(m.deps, shop.clientId, {
      logoUri: LOGO,
      supportEmail: 'help@cedar.example',
      supportUrl: 'https://cedar.example/help',
    });
    const { browser, page, headers } = await signInPageFor(shop);
    assert.match(page.body, /<img class="shop-logo" src="https:\/\/cdn\.maple\.example\/logo\.png" alt=""/);
    assert.match(page.body, /Questions for Cedar Books itself \(orders, deliveries\):/);
    assert.match(page.body, /href="mailto:help@cedar\.example"/);
    assert.match(page.body, /href="https:\/\/cedar\.example\/help" rel="noopener noreferrer">its help page</);
    assert.match(
      String(headers['content-security-policy']),
      /img-src 'self' data: https:\/\/cdn\.maple\.example\/logo\.png;/,
    );

    const returnTo = page.url.pathname;
    const register = await browser.get(`/register?returnTo=${encodeURIComponent(returnTo)}`);
    assert.match(register.body, /Create a Maple Market account to sign in to Cedar Books\./);
    assert.match(register.body, /class="shop-logo"/);
    assert.match(String(register.headers['content-security-policy']), /img-src 'self' data: https:\/\/cdn/);

    const wrong = await browser.post('/sign-in', { email: 'nobody@example.com', password: 'not it at all', returnTo });
    assert.equal(wrong.statusCode, 401);
    assert.match(
      wrong.body,
      /Signing in to Cedar Books with your Maple Market account\./,
      'kept after a wrong password',
    );
    assert.match(String(wrong.headers['content-security-policy']), /img-src 'self' data: https:\/\/cdn/);

    const plain = await new TestClient(m.app).get('/sign-in');
    assert.doesNotMatch(plain.body, /shop-logo|help@cedar/);
    assert.match(String(plain.headers['content-security-policy']), /img-src 'self' data:;/);
  });

  test('a shop without branding shows its name only; clearing a field removes it', async () => {
    const shop = await registerShop(m, { name: 'Cedar Books' });
    await updateClientBranding(m.deps, shop.clientId, { supportEmail: 'help@cedar.example' });
    assert.match((await signInPageFor(shop)).page.body, /help@cedar\.example/);
    const cleared = await updateClientBranding(m.deps, shop.clientId, { supportEmail: '' });
    assert.equal(cleared.supportEmail, null);
    const { page, headers } = await signInPageFor(shop);
    assert.match(page.body, /Signing in to Cedar Books with your Maple Market account\./);
    assert.doesNotMatch(page.body, /shop-logo|help@cedar|Questions for/);
    assert.match(String(headers['content-security-policy']), /img-src 'self' data:;/);
  });

  test('a logo address that could widen the page’s policy, or any bad contact, is refused at registration', async () => {
    const base = { redirectUris: [SHOP_CALLBACK] };
    const cases: [Record<string, string>, RegExp][] = [
      [{ logoUri: "https://cdn.example/logo.png; script-src 'unsafe-inline'" }, /logo: .*not accepted/],
      [{ logoUri: 'https://cdn.example/a,b.png' }, /logo: .*not accepted/],
      [{ logoUri: 'https://cdn.example/logo.png?session=abc' }, /logo: a URL with a query/],
      [{ logoUri: 'javascript:alert(1)' }, /logo: only http\(s\)/],
      [{ logoUri: 'data:image/png;base64,AAAA' }, /logo: only http\(s\)/],
      [{ supportUrl: 'javascript:alert(1)' }, /support page: only http\(s\)/],
      [{ supportEmail: 'not an address' }, /support email: not an email address/],
    ];
    for (const [branding, reason] of cases) {
      await assert.rejects(
        addClient(m.deps, { name: `Shop ${reason.source}`, ...base, ...branding }),
        refusedWith(reason),
      );
    }
    const shop = await registerShop(m, { name: 'Cedar Books' });
    await assert.rejects(updateClientBranding(m.deps, shop.clientId, {}), refusedWith(/nothing to change/));
    await assert.rejects(
      updateClientBranding(m.deps, 'no-such-client', { supportEmail: 'a@b.example' }),
      (e) => isDomainError(e) && e.code === 'NOT_FOUND',
    );
  });

  test('the shop’s ui_locales chooses the sign-in page’s language unless the browser already chose one', async () => {
    const shop = await registerShop(m, { name: 'Cedar Books' });
    const english = await signInPageFor(shop, { ui_locales: 'fr-CA en-US ja' });
    assert.match(english.page.body, /<html lang="en"/);
    const japanese = await signInPageFor(shop, { ui_locales: 'ja-JP' });
    assert.match(japanese.page.body, /<html lang="ja"/);
    assert.match(japanese.page.body, /Maple Market のアカウントで Cedar Books にログインします。/);

    const chose = new TestClient(m.app);
    await chose.get('/sign-in?lang=en');
    const start = await authorizationUrl(shop, { ui_locales: 'ja' });
    const page = await followInBrowser(chose, start.url, m.issuer);
    assert.match(page.body, /<html lang="en"/, 'her own choice wins over the shop’s hint');
  });
});
