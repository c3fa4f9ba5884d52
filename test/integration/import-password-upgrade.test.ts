import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { importAccounts } from '../../src/services/import/import-accounts.ts';
import { findAccountByEmail } from '../../src/store/accounts.ts';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';
import { postSignIn, secondStepIfMailed, signIn } from '../support/flows.ts';
import { importRowFor, woocommerceCustomers } from '../support/import-fixtures.ts';
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

const { short, common } = woocommerceCustomers();
const NEW_PASSWORD = 'lantern orchard pebble violin';

/** Issue 26: an imported password below the policy signs in, then asks for a better one. */
forEachStore('Imported passwords below the policy', (store) => {
  let m: TestMamori & { issuer: string };
  let shop: TestShop;
  beforeEach(async () => {
    m = await startIssuer(store);
    shop = await registerShop(m);
    const rows = [short, common].map((c) => importRowFor(c));
    const report = await importAccounts(
      m.deps,
      rows.map((value, i) => ({ line: i + 1, value })),
      { clientId: shop.clientId, dryRun: false },
    );
    assert.equal(report.imported, 2, JSON.stringify(report.refused));
  });
  afterEach(async () => {
    await m.close();
  });

  const upgradeOf = async (email: string) => (await findAccountByEmail(m.deps.db, email))?.password_upgrade ?? null;

  /** The authorization as far as the browser gets: the shop's callback, or the Mamori page it stops at. */
  async function authorizeThroughSignIn(browser: TestClient, email: string, password: string) {
    const start = await authorizationUrl(shop);
    const signInPage = await followInBrowser(browser, start.url, m.issuer);
    const returnTo = signInPage.url.pathname;
    // Signed in under the interaction, which is not finished while the upgrade waits: on through GET /interaction.
    const res = await secondStepIfMailed(
      m,
      browser,
      email,
      await signInAtInteraction(browser, signInPage, email, password),
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    assert.equal(res.headers.location, returnTo);
    return { returnTo, end: await followInBrowser(browser, String(res.headers.location), m.issuer) };
  }

  test('a short password signs in; the next page asks for a longer one or a passkey, in plain words, and “Later” lets her go on', async () => {
    const { client: browser, res } = await signIn(m, short.email, short.password);
    assert.equal(res.headers.location, '/account');
    assert.equal(await upgradeOf(short.email), 'suggested');
    const next = await browser.get('/account');
    assert.equal(next.statusCode, 303);
    assert.equal(next.headers.location, '/password-upgrade?returnTo=%2Faccount');
    const page = await browser.get(String(next.headers.location));
    assert.match(page.body, /Make your password longer/);
    assert.match(page.body, /Use a passkey instead/);
    assert.match(page.body, /Later/);
    const later = await browser.post('/password-upgrade/later', { returnTo: '/account' });
    assert.equal(later.headers.location, '/account');
    assert.equal((await browser.get('/account')).statusCode, 200);
    assert.equal(await upgradeOf(short.email), null, 'asked once: “Later” is her answer');
  });

  test('the page speaks Japanese to a Japanese shopper', async () => {
    const browser = new TestClient(m.app);
    browser.headers['accept-language'] = 'ja';
    await signIn(m, short.email, short.password, browser);
    const page = await browser.get('/password-upgrade?returnTo=%2Faccount');
    assert.match(page.body, /パスワードを長くしましょう/);
    assert.match(page.body, /あとで/);
  });

  test('a longer password replaces it: the old one no longer works, the new one does', async () => {
    const { client: browser } = await signIn(m, short.email, short.password);
    await browser.get('/password-upgrade?returnTo=%2Faccount');
    const tooShort = await browser.post('/password-upgrade', { password: 'mikan8tk2', returnTo: '/account' });
    assert.equal(tooShort.statusCode, 400, 'the new one meets the policy');
    assert.equal(await upgradeOf(short.email), 'suggested');
    const chosen = await browser.post('/password-upgrade', { password: NEW_PASSWORD, returnTo: '/account' });
    assert.equal(chosen.statusCode, 303);
    assert.equal(chosen.headers.location, '/account');
    assert.equal((await browser.get('/account')).statusCode, 200, 'still signed in here');
    assert.equal(await upgradeOf(short.email), null);
    assert.equal((await postSignIn(new TestClient(m.app), short.email, short.password)).statusCode, 401);
    assert.equal((await signIn(m, short.email, NEW_PASSWORD, browser)).res.statusCode, 303);
  });

  test('inside a shop’s sign-in: a password on the common list must be replaced, then the sign-in goes on to the shop', async () => {
    const browser = new TestClient(m.app);
    const { returnTo, end } = await authorizeThroughSignIn(browser, common.email, common.password);
    assert.equal(end.url.pathname, '/password-upgrade');
    assert.equal(end.url.searchParams.get('returnTo'), returnTo, 'the interaction is kept');
    assert.match(end.body, /Choose a new password/);
    assert.doesNotMatch(end.body, /Later|passkey-options|Use a passkey/, 'no way around it');
    const chosen = await browser.post('/password-upgrade', { password: NEW_PASSWORD, returnTo });
    assert.equal(chosen.headers.location, returnTo);
    const shopPage = await followInBrowser(browser, returnTo, m.issuer);
    assert.equal(shopPage.url.origin + shopPage.url.pathname, SHOP_CALLBACK, 'back at the shop, signed in');
    assert.ok(shopPage.url.searchParams.get('code'));
    assert.equal(await upgradeOf(common.email), null);
  });

  test('inside a shop’s sign-in, coming back to the forced change 20 minutes later: her password first, and the shop’s sign-in is kept', async () => {
    const browser = new TestClient(m.app);
    const { returnTo, end } = await authorizeThroughSignIn(browser, common.email, common.password);
    assert.equal(end.url.pathname, '/password-upgrade');
    m.clock.advance(20 * 60_000);
    const upgradePage = `/password-upgrade?returnTo=${encodeURIComponent(returnTo)}`;
    const asked = await browser.get(upgradePage);
    assert.equal(asked.headers.location, `/reauth?returnTo=${encodeURIComponent(upgradePage)}`);
    const stale = await browser.post('/password-upgrade', { password: NEW_PASSWORD, returnTo });
    assert.equal(stale.headers.location, asked.headers.location, 'a form sent from the stale page asks the same');
    assert.equal(await upgradeOf(common.email), 'required', 'and changed nothing');
    await browser.get(String(asked.headers.location));
    const confirmed = await browser.post('/reauth', { password: common.password, returnTo: upgradePage });
    assert.equal(confirmed.headers.location, upgradePage);
    assert.equal((await browser.get(upgradePage)).statusCode, 200);
    const chosen = await browser.post('/password-upgrade', { password: NEW_PASSWORD, returnTo });
    assert.equal(chosen.headers.location, returnTo);
    const shopPage = await followInBrowser(browser, returnTo, m.issuer);
    assert.equal(shopPage.url.origin + shopPage.url.pathname, SHOP_CALLBACK, 'back at the shop, signed in');
  });

  test('inside a shop’s sign-in: a passkey instead of a longer password, and the sign-in goes on to the shop', async () => {
    const browser = new TestClient(m.app);
    const { returnTo, end } = await authorizeThroughSignIn(browser, short.email, short.password);
    assert.equal(end.url.pathname, '/password-upgrade');
    const passkeys = `/account/passkeys?returnTo=${encodeURIComponent(returnTo)}`;
    assert.ok(
      end.body.includes(`href="${passkeys.replaceAll('&', '&amp;')}"`),
      'the passkey way keeps the shop waiting',
    );
    const page = await browser.get(passkeys);
    assert.equal(page.statusCode, 200);
    const options = JSON.parse((await browser.post('/account/passkeys/options')).body) as { challenge: string };
    const added = await browser.post('/account/passkeys', {
      credential: JSON.stringify(new SoftPasskey(m.issuer).register(options)),
      name: 'phone',
      returnTo,
    });
    assert.equal(added.statusCode, 200);
    assert.ok(added.body.includes(`href="${returnTo}"`), 'after the recovery codes, on to the shop');
    assert.equal(await upgradeOf(short.email), null, 'a passkey answers the suggestion');
    const shopPage = await followInBrowser(browser, returnTo, m.issuer);
    assert.equal(shopPage.url.origin + shopPage.url.pathname, SHOP_CALLBACK, 'back at the shop, signed in');
    assert.ok(shopPage.url.searchParams.get('code'));
  });

  test('the intruder who knows the common password signs in, and can neither skip the change nor finish the shop’s sign-in', async () => {
    const intruder = new TestClient(m.app);
    intruder.remoteAddress = '203.0.113.66';
    const { returnTo, end } = await authorizeThroughSignIn(intruder, common.email, common.password);
    assert.equal(end.url.pathname, '/password-upgrade');
    const before = await findAccountByEmail(m.deps.db, common.email);

    const skip = await intruder.post('/password-upgrade/later', { returnTo });
    assert.equal(skip.statusCode, 403, '“Later” is not offered and not accepted');
    for (const path of ['/account', returnTo, '/account/sessions', '/account/passkeys']) {
      const res = await intruder.get(path);
      assert.equal(res.statusCode, 303, path);
      assert.match(String(res.headers.location), /^\/password-upgrade\?/, path);
    }
    const emailChange = await intruder.post('/account/email', {
      email: 'thief@example.net',
      password: common.password,
    });
    assert.equal(emailChange.statusCode, 303);
    assert.match(String(emailChange.headers.location), /^\/password-upgrade\?/);
    const shopStillWaits = await followInBrowser(intruder, returnTo, m.issuer);
    assert.equal(shopStillWaits.url.pathname, '/password-upgrade', 'no code reaches the shop');

    // A fresh browser and a fresh sign-in find the same state: it lives on the account, not in a cookie.
    const second = new TestClient(m.app);
    second.remoteAddress = '203.0.113.67';
    const again = await signIn(m, common.email, common.password, second);
    assert.equal(again.res.statusCode, 303);
    assert.match(String((await second.get('/account')).headers.location), /^\/password-upgrade\?/);
    const after = await findAccountByEmail(m.deps.db, common.email);
    assert.equal(after?.email, before?.email);
    assert.equal(after?.password_upgrade, 'required');
  });
});
