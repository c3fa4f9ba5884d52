import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { importAccounts } from '../../src/services/import/import-accounts.ts';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';
import { signIn } from '../support/flows.ts';
import { SoftPasskey } from '../support/soft-passkey.ts';
import {
  authorizationUrl,
  followInBrowser,
  registerShop,
  SHOP_CALLBACK,
  signInAtInteraction,
  startIssuer,
  type TestShop,
} from '../support/oidc.ts';

const MEI = 'mei@example.com';
const NEW_PASSWORD = 'lantern orchard pebble violin';

/** Issue 26: a Shopify customer's first sign-in at the shop goes by the link and ends at the shop. */
forEachStore('Imported without a password, inside a shop’s sign-in', (store) => {
  let m: TestMamori & { issuer: string };
  let shop: TestShop;
  beforeEach(async () => {
    m = await startIssuer(store);
    shop = await registerShop(m);
    const report = await importAccounts(
      m.deps,
      [{ line: 1, value: { shopCustomerId: 'shopify-1', email: MEI, name: 'Mei Ito' } }],
      { clientId: shop.clientId, dryRun: false },
    );
    assert.equal(report.imported, 1, JSON.stringify(report.refused));
  });
  afterEach(async () => {
    await m.close();
  });

  test('the failed sign-in offers the link; from it she sets a password and the sign-in goes on to the shop', async () => {
    const browser = new TestClient(m.app);
    const start = await authorizationUrl(shop);
    const signInPage = await followInBrowser(browser, start.url, m.issuer);
    const returnTo = signInPage.url.pathname;
    assert.match(returnTo, /^\/interaction\//);
    const failed = await signInAtInteraction(browser, signInPage, MEI, 'whatever she used there');
    assert.equal(failed.statusCode, 401);
    assert.ok(failed.body.includes(`name="returnTo" value="${returnTo}"`));
    const asked = await browser.post('/first-password', { email: MEI, returnTo });
    assert.equal(asked.statusCode, 200);
    await m.deliver();
    const link = new URL(m.mailer.link(MEI, '/first-password/set'));
    await browser.get(link.pathname + link.search);
    const set = await browser.post('/first-password/set', {
      token: String(link.searchParams.get('token')),
      password: NEW_PASSWORD,
    });
    assert.equal(set.headers.location, `/sign-in?notice=first-password&returnTo=${encodeURIComponent(returnTo)}`);
    const { res } = await signIn(m, MEI, NEW_PASSWORD, browser, { returnTo });
    assert.equal(res.headers.location, returnTo);
    const end = await followInBrowser(browser, returnTo, m.issuer);
    assert.equal(end.url.origin + end.url.pathname, SHOP_CALLBACK, `stopped at ${end.url.href}`);
    assert.ok(end.url.searchParams.get('code'));
  });

  test('or a passkey from the link: once it is added (and its recovery codes shown), the sign-in goes on to the shop', async () => {
    const browser = new TestClient(m.app);
    const start = await authorizationUrl(shop);
    const signInPage = await followInBrowser(browser, start.url, m.issuer);
    const returnTo = signInPage.url.pathname;
    await browser.post('/first-password', { email: MEI, returnTo });
    await m.deliver();
    const link = new URL(m.mailer.link(MEI, '/first-password/set'));
    await browser.get(link.pathname + link.search);
    const opened = await browser.post('/first-password/passkey', { token: String(link.searchParams.get('token')) });
    assert.equal(opened.headers.location, `/account/passkeys?returnTo=${encodeURIComponent(returnTo)}`);
    const page = await browser.get(String(opened.headers.location));
    assert.ok(page.body.includes(`name="returnTo" value="${returnTo}"`), 'the add form carries the way back');
    const options = JSON.parse((await browser.post('/account/passkeys/options')).body) as { challenge: string };
    const added = await browser.post('/account/passkeys', {
      credential: JSON.stringify(new SoftPasskey(m.issuer).register(options)),
      name: 'phone',
      returnTo,
    });
    assert.equal(added.statusCode, 200, 'her first passkey comes with recovery codes to keep');
    assert.match(added.body, /data-testid="recovery-codes"/);
    assert.ok(added.body.includes(`href="${returnTo}"`), 'and a way on to the shop');
    const end = await followInBrowser(browser, returnTo, m.issuer);
    assert.equal(end.url.origin + end.url.pathname, SHOP_CALLBACK, `stopped at ${end.url.href}`);
    assert.ok(end.url.searchParams.get('code'));
  });

  test('a way back that leaves Mamori is not followed: the passkey page stays home', async () => {
    const browser = new TestClient(m.app);
    await browser.get('/first-password');
    await browser.post('/first-password', { email: MEI, returnTo: '//intruder.example/collect' });
    await m.deliver();
    const link = new URL(m.mailer.link(MEI, '/first-password/set'));
    const opened = await browser.post('/first-password/passkey', { token: String(link.searchParams.get('token')) });
    assert.equal(opened.headers.location, '/account/passkeys');
    const page = await browser.get('/account/passkeys?returnTo=https://intruder.example/');
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /="(https?:)?\/\/intruder\.example/, 'no link or form field leads there');
  });
});
