import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import * as client from 'openid-client';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { PASSWORD, signIn } from '../support/flows.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';
import { authorizationUrl, followInBrowser, registerShop, SHOP_CALLBACK, startIssuer } from '../support/oidc.ts';
import { STORY_ENV } from '../support/story.ts';

const HANA = 'hana@example.com';

const hrefOf = (body: string, label: RegExp): string => {
  const match = [...body.matchAll(/<a (?:class="[^"]*" )?href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].find((m) =>
    label.test(m[2] ?? ''),
  );
  assert.ok(match?.[1], `a link "${label.source}"`);
  return match[1].replaceAll('&amp;', '&');
};

/**
 * Issue 25, "registration started at a shop does not return to the shop": the shop's sign-in, "Create an
 * account", the confirmation mail, and the customer ends at the shop signed in. Played also by a stranger
 * who registers someone else's address from a sign-in of their own.
 */
forEachStore('registration inside a shop sign-in', (store) => {
  let m: TestMamori & { issuer: string };
  beforeEach(async () => {
    m = await startIssuer(store, STORY_ENV);
  });
  afterEach(async () => {
    await m.close();
  });

  /** The shop sends a browser to Mamori; it lands on the sign-in page. Returns the interaction path. */
  async function shopSendsToSignIn(browser: TestClient, shop: Awaited<ReturnType<typeof registerShop>>) {
    const start = await authorizationUrl(shop);
    const page = await followInBrowser(browser, start.url, m.issuer);
    assert.match(page.body, /name="password"/, 'the sign-in form, at the interaction itself');
    return { start, page, returnTo: page.url.pathname };
  }

  test('sign-in → create an account → confirm from the mail → password → back at the shop, signed in', async () => {
    const shop = await registerShop(m);
    const browser = new TestClient(m.app);
    const { start, page, returnTo } = await shopSendsToSignIn(browser, shop);
    assert.match(returnTo, /^\/interaction\//);

    const register = hrefOf(page.body, /Create an account/);
    assert.equal(register, `/register?returnTo=${encodeURIComponent(returnTo)}`);
    const form = await browser.get(register);
    assert.match(form.body, new RegExp(`name="returnTo" value="${returnTo}"`));
    // Whose shop this is (issue 25): the client asking, beside the operator's name, on both pages.
    assert.match(page.body, /Signing in to Maple Market storefront with your Maple Market account\./);
    assert.match(form.body, /Create a Maple Market account to sign in to Maple Market storefront\./);
    for (const other of ['/sign-in?returnTo=%2Finteraction%2Fmade-up-uid', '/sign-in', '/register?returnTo=%2Faccount'])
      assert.doesNotMatch((await new TestClient(m.app).get(other)).body, /class="for-shop"/, `${other} names no shop`);
    const done = await browser.post('/register', { name: 'Hana Sato', email: HANA, password: PASSWORD, returnTo });
    assert.equal(done.statusCode, 200);
    // The same tab can go on once the address is confirmed elsewhere.
    assert.equal(hrefOf(done.body, /sign in and continue/), `/sign-in?returnTo=${encodeURIComponent(returnTo)}`);

    await m.deliver();
    const link = m.mailer.link(HANA, '/verify-email');
    assert.doesNotMatch(link, /interaction/, 'the mailed link carries only its token');
    await browser.get(pathOf(link));
    const verified = await browser.post('/verify-email', { token: tokenOf(link) });
    assert.equal(verified.headers.location, `/sign-in?notice=verified&returnTo=${encodeURIComponent(returnTo)}`);

    const { res } = await signIn(m, HANA, PASSWORD, browser, { returnTo });
    assert.equal(res.headers.location, returnTo);
    const end = await followInBrowser(browser, returnTo, m.issuer);
    assert.equal(end.url.origin + end.url.pathname, SHOP_CALLBACK, `stopped at ${end.url.href}`);
    const tokens = await client.authorizationCodeGrant(shop.config, end.url, {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
      expectedNonce: start.nonce,
    });
    assert.equal(tokens.claims()?.email, HANA);
  });

  test('signing in before confirming sends a new link that still leads back to the shop', async () => {
    const shop = await registerShop(m);
    const browser = new TestClient(m.app);
    const { returnTo } = await shopSendsToSignIn(browser, shop);
    await browser.get(`/register?returnTo=${encodeURIComponent(returnTo)}`);
    await browser.post('/register', { name: 'Hana Sato', email: HANA, password: PASSWORD, returnTo });
    await browser.get(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
    const early = await browser.post('/sign-in', { email: HANA, password: PASSWORD, returnTo });
    assert.equal(early.statusCode, 403, 'not confirmed yet');
    await m.deliver();
    const verified = await browser.post('/verify-email', { token: tokenOf(m.mailer.link(HANA, '/verify-email')) });
    assert.equal(verified.headers.location, `/sign-in?notice=verified&returnTo=${encodeURIComponent(returnTo)}`);
  });

  test('a foreign or malformed returnTo is dropped at registration and never followed after confirmation', async () => {
    const hostile = ['//evil.example/', 'https://evil.example/', '/\\evil.example', '/a"><script>', 'x'];
    for (const [i, returnTo] of hostile.entries()) {
      const email = `hana${i}@example.com`;
      const browser = new TestClient(m.app);
      browser.remoteAddress = `192.0.2.${i + 1}`;
      const form = await browser.get(`/register?returnTo=${encodeURIComponent(returnTo)}`);
      assert.match(form.body, /name="returnTo" value=""/, returnTo);
      await browser.post('/register', { name: 'Hana Sato', email, password: PASSWORD, returnTo });
      await m.deliver();
      const verified = await browser.post('/verify-email', { token: tokenOf(m.mailer.link(email, '/verify-email')) });
      assert.equal(verified.headers.location, '/sign-in?notice=verified', returnTo);
    }
  });

  test("a stranger who registers Hana's address from their own shop sign-in cannot finish it through her", async () => {
    const shop = await registerShop(m, { name: 'Partner shop', firstParty: false });
    const stranger = new TestClient(m.app);
    const { returnTo } = await shopSendsToSignIn(stranger, shop);
    await stranger.get(`/register?returnTo=${encodeURIComponent(returnTo)}`);
    await stranger.post('/register', { name: 'Hana Sato', email: HANA, password: PASSWORD, returnTo });
    await m.deliver();

    // Hana opens the mail in her own browser: confirming does not sign her in (the stranger chose that
    // password), and the stranger's sign-in, bound to the stranger's browser, does not go on in hers.
    const hana = new TestClient(m.app);
    const link = m.mailer.link(HANA, '/verify-email');
    await hana.get(pathOf(link));
    const verified = await hana.post('/verify-email', { token: tokenOf(link) });
    assert.equal(verified.statusCode, 303);
    assert.ok(String(verified.headers.location).startsWith('/sign-in?'));
    assert.equal((await hana.get('/account')).statusCode, 303, 'not signed in by the link');
    const { res } = await signIn(m, HANA, PASSWORD, hana, { returnTo });
    const end = await followInBrowser(hana, String(res.headers.location), m.issuer);
    assert.notEqual(end.url.origin + end.url.pathname, SHOP_CALLBACK, 'no code for the stranger’s shop sign-in');
    assert.equal(end.status, 400);
  });
});
