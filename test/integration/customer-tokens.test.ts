import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { LANGUAGE_COOKIE } from '../../src/http/language-switch.ts';
import { registerAndVerify, signIn } from '../support/flows.ts';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import type { TestClient } from '../support/http-client.ts';
import {
  authorizationUrl,
  followInBrowser,
  refreshTarget,
  registerShop,
  SHOP_CALLBACK,
  shopSignsIn,
  startIssuer,
  type TestShop,
} from '../support/oidc.ts';
import { callApi, shopApiToken } from '../support/ssf.ts';

const EMAIL = 'hana@example.com';
const SHOP_MANAGEMENT = ['ssf.manage', 'ssf.read', 'shop-changes:write', 'undo-requests:answer'];

/**
 * Issue 24 §5, from the side of a shop that wants more than a customer can give: a sign-in asking for
 * the shop-management scopes gets none of them, on the first token, on refresh, or through consent; the
 * consent page names everything "Allow" grants; and `bearer` is as good as `Bearer` (RFC 9110).
 */
forEachStore('customer tokens', (store) => {
  let m: TestMamori & { issuer: string };
  let api: string;
  beforeEach(async () => {
    m = await startIssuer(store);
    api = `${m.issuer}/api`;
  });
  afterEach(async () => {
    await m.close();
  });

  async function ownerSignedIn(): Promise<TestClient> {
    await registerAndVerify(m, EMAIL);
    return (await signIn(m, EMAIL)).client;
  }

  /** The code flow through the consent page (a partner shop), then the code and a refresh for the API. */
  async function greedySignIn(shop: TestShop, browser: TestClient, consent: (page: string) => void) {
    const start = await authorizationUrl(shop, {
      scope: ['openid', 'email', 'account:read', ...SHOP_MANAGEMENT].join(' '),
      resource: api,
    });
    let end = await followInBrowser(browser, start.url, m.issuer);
    if (end.url.origin === m.issuer && end.url.pathname.startsWith('/interaction/')) {
      consent(end.body);
      const allowed = await browser.post(`${end.url.pathname}/consent`, { decision: 'allow' });
      end = await followInBrowser(browser, String(refreshTarget(allowed.body)), m.issuer);
    }
    assert.equal(end.url.origin + end.url.pathname, SHOP_CALLBACK, `stopped at ${end.url.href}`);
    const tokens = await client.authorizationCodeGrant(
      shop.config,
      end.url,
      { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce },
      { resource: api },
    );
    const refreshed = await client.refreshTokenGrant(shop.config, String(tokens.refresh_token), { resource: api });
    return [tokens.access_token, refreshed.access_token];
  }

  test('a partner shop asking a customer for ssf.manage and shop-changes:write gets none of them', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m, { name: 'Partner shop', firstParty: false });
    const tokens = await greedySignIn(shop, browser, (page) => {
      assert.match(page, /your email address/);
      assert.match(page, /whether your account is safe to use/);
      assert.doesNotMatch(page, /ssf|shop-changes|undo-requests/);
    });
    for (const token of tokens) {
      const { scope, sub } = decodeJwt(token);
      assert.equal(scope, 'account:read', 'only what the consent page showed');
      assert.notEqual(sub, shop.clientId);
    }
    const grants = await m.deps.db.selectFrom('oidc_payloads').select('payload').where('kind', '=', 'Grant').execute();
    assert.equal(grants.length, 1);
    const grant = JSON.parse(grants[0]!.payload) as { openid?: { scope?: string }; resources?: Record<string, string> };
    assert.equal(grant.openid?.scope, 'openid email');
    assert.deepEqual(grant.resources, { [api]: 'account:read' });
  });

  test('asked as plain OpenID scopes (no resource), the shop-management scopes are refused too', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    const tokens = await shopSignsIn(m, shop, browser, { scope: ['openid', ...SHOP_MANAGEMENT].join(' ') });
    const introspected = await client.tokenIntrospection(shop.config, tokens.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.scope, 'openid');
    assert.equal(tokens.scope, 'openid');
  });

  test("the store's own shop (no consent page) gets no shop-management scope through a customer either", async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m, { firstParty: true });
    const tokens = await greedySignIn(shop, browser, () => assert.fail('a first-party shop asks no consent'));
    for (const token of tokens) assert.equal(decodeJwt(token).scope, 'account:read');
    // The shop as itself still holds them all.
    const own = decodeJwt(await shopApiToken(m.issuer, shop, SHOP_MANAGEMENT.join(' '))).scope;
    assert.deepEqual(String(own).split(' ').sort(), [...SHOP_MANAGEMENT].sort());
  });

  test('the consent page names every granted scope in Japanese too', async () => {
    const browser = await ownerSignedIn();
    browser.cookies.set(LANGUAGE_COOKIE, 'ja');
    const shop = await registerShop(m, { name: 'Partner shop', firstParty: false });
    const start = await authorizationUrl(shop, { scope: 'openid email profile account:read', resource: api });
    const page = await followInBrowser(browser, start.url, m.issuer);
    assert.equal(page.status, 200);
    const items = [...page.body.matchAll(/<li>([^<]*)<\/li>/g)].map((match) => match[1]);
    assert.deepEqual(items, [
      'あなたであること（変わらない識別子）',
      'メールアドレス',
      'お名前と表示言語',
      'アカウントを今安全に使えるかどうか（ロック中・復旧中・復旧後の一時制限中）',
    ]);
  });

  test('the Authorization scheme is case-insensitive: bearer and BEARER work, a wrong scheme does not', async () => {
    const shop = await registerShop(m);
    const token = await shopApiToken(m.issuer, shop);
    const call = async (authorization: string) =>
      (
        await fetch(`${m.issuer}/api/v1/ssf/stream`, {
          headers: { authorization },
        })
      ).status;
    assert.equal(await call(`Bearer ${token}`), 200);
    assert.equal(await call(`bearer ${token}`), 200);
    assert.equal(await call(`BEARER ${token}`), 200);
    assert.equal(await call(`Basic ${token}`), 401);
    assert.equal(await call(`Bearer${token}`), 401);
    assert.equal((await callApi(m.issuer, null, 'GET', '/api/v1/ssf/stream')).status, 401);
  });
});
