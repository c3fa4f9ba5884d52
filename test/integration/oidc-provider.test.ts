import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { HOLD_CLAIM } from '../../src/core/oidc/claims.ts';
import { removeClient, rotateClientSecret } from '../../src/services/oidc/clients.ts';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/core/oidc/logout-token.ts';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { PASSWORD, registerAndVerify, signIn, staffSignedIn } from '../support/flows.ts';
import {
  authorizationUrl,
  refreshTarget,
  followInBrowser,
  logoutReceiver,
  registerShop,
  SHOP_CALLBACK,
  shopSignsIn,
  signInAtInteraction,
  startIssuer,
} from '../support/oidc.ts';
import { TestClient } from '../support/http-client.ts';

const EMAIL = 'hana@example.com';

/**
 * Mamori as a shop's OpenID Provider (issue 14), with openid-client as the shop: discovery, code + PKCE,
 * claims, refresh rotation, revocation, introspection, and containment reaching the shop.
 */
forEachStore('OpenID Provider', (store) => {
  let m: TestMamori & { issuer: string };
  beforeEach(async () => {
    m = await startIssuer(store);
  });
  afterEach(async () => {
    await m.close();
  });

  async function ownerSignedIn(): Promise<TestClient> {
    await registerAndVerify(m, EMAIL);
    const { client: browser } = await signIn(m, EMAIL);
    return browser;
  }

  test('discovery names the endpoints and what is supported; only code with S256', async () => {
    const res = await fetch(`${m.issuer}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const meta = (await res.json()) as Record<string, unknown>;
    assert.equal(meta.issuer, m.issuer);
    assert.equal(meta.authorization_endpoint, `${m.issuer}/oidc/auth`);
    assert.deepEqual(meta.response_types_supported, ['code']);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.equal(meta.authorization_response_iss_parameter_supported, true);
    assert.equal(meta.backchannel_logout_supported, true);
    assert.ok(String(meta.introspection_endpoint).endsWith('/oidc/token/introspection'));
    assert.ok(String(meta.revocation_endpoint).endsWith('/oidc/token/revocation'));
    const jwks = (await (await fetch(String(meta.jwks_uri))).json()) as { keys: Record<string, unknown>[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.alg, 'ES256');
    assert.ok(jwks.keys[0]?.kid);
    assert.equal(jwks.keys[0]?.d, undefined, 'no private part is published');
  });

  test('the machine endpoints, answered before Fastify routes anything, carry what every answer does and are counted', async () => {
    const throughFastify = await fetch(`${m.issuer}/.well-known/openid-configuration`);
    const before = await m.deps.metrics.render();
    const count = (text: string) =>
      Number(
        /http_request_duration_seconds_count\{[^}]*route="\/oidc\/\*"[^}]*status="4xx"[^}]*\} (\d+)/.exec(text)?.[1] ??
          0,
      );
    for (const path of ['/oidc/token', '/oidc/token/introspection', '/oidc/token/revocation', '/oidc/me']) {
      const res = await fetch(`${m.issuer}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-host': 'evil.example' },
        body: 'grant_type=authorization_code&code=nope',
      });
      assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(typeof body.error, 'string', path);
      assert.doesNotMatch(JSON.stringify(body), /evil\.example|at .*\.(ts|js)/, 'no forged host, no stack trace');
      for (const header of ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy'])
        assert.equal(res.headers.get(header), throughFastify.headers.get(header), `${path}: ${header}`);
    }
    assert.equal(count(await m.deps.metrics.render()) - count(before), 4, 'each counted as the route /oidc/*');
  });

  /** The browser's own request over the socket (the fast path), its cookies shared with the injecting client. */
  async function overSocket(browser: TestClient, path: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${m.issuer}${path}`, {
      redirect: 'manual',
      headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...headers },
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(cookie)) browser.cookies.delete(name);
      else browser.cookies.set(name, value);
    }
    return res;
  }

  test('the authorization endpoint and its resume, answered before Fastify routes anything: same headers, counted, nothing forged', async () => {
    await registerAndVerify(m, EMAIL);
    const shop = await registerShop(m);
    const throughFastify = await fetch(`${m.issuer}/.well-known/openid-configuration`);
    const count = (text: string, status: string) =>
      Number(
        new RegExp(
          `http_request_duration_seconds_count\\{[^}]*route="/oidc/\\*"[^}]*status="${status}"[^}]*\\} (\\d+)`,
        ).exec(text)?.[1] ?? 0,
      );
    const before = await m.deps.metrics.render();
    const browser = new TestClient(m.app);
    const start = await authorizationUrl(shop);
    const asked = await overSocket(browser, start.url.pathname + start.url.search, {
      'x-forwarded-host': 'evil.example',
    });
    assert.equal(asked.status, 303);
    const interaction = new URL(String(asked.headers.get('location')), m.issuer);
    assert.equal(interaction.origin, m.issuer, 'the interaction is on the issuer, never on a forged host');
    for (const header of ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy'])
      assert.equal(asked.headers.get(header), throughFastify.headers.get(header), header);
    const page = await followInBrowser(browser, interaction, m.issuer);
    const signedIn = await signInAtInteraction(browser, page, EMAIL, PASSWORD);
    const resume = new URL(String(refreshTarget(signedIn.body)), m.issuer);
    assert.match(resume.pathname, /^\/oidc\/auth\/[\w-]+$/);
    const back = await overSocket(browser, resume.pathname, { 'x-forwarded-host': 'evil.example' });
    assert.equal(back.status, 303);
    const end = new URL(String(back.headers.get('location')));
    assert.equal(end.origin + end.pathname, SHOP_CALLBACK);
    assert.equal(end.searchParams.get('iss'), m.issuer, 'the issuer named in the answer is the real one');
    for (const header of ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy'])
      assert.equal(back.headers.get(header), throughFastify.headers.get(header), header);
    const tokens = await client.authorizationCodeGrant(shop.config, end, {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
      expectedNonce: start.nonce,
    });
    assert.equal(tokens.claims()?.email, EMAIL);
    const after = await m.deps.metrics.render();
    assert.equal(count(after, '3xx') - count(before, '3xx'), 2, 'the authorization and its resume, counted as /oidc/*');
  });

  test('intruder: at the resume over the socket, another browser gets no code, and a contained account gets none either', async () => {
    await registerAndVerify(m, EMAIL);
    const shop = await registerShop(m);
    const browser = new TestClient(m.app);
    const start = await authorizationUrl(shop);
    const page = await followInBrowser(browser, start.url, m.issuer);
    const signedIn = await signInAtInteraction(browser, page, EMAIL, PASSWORD);
    const resume = new URL(String(refreshTarget(signedIn.body)), m.issuer).pathname;
    const stranger = await overSocket(new TestClient(m.app), resume);
    assert.doesNotMatch(
      String(stranger.headers.get('location')),
      /code=/,
      'no code for a browser without the interaction',
    );
    assert.doesNotMatch(await stranger.text(), /at .*\.(ts|js)/, 'no stack trace');
    // Contained between the sign-in and the resume (another instance may have done it): the resume stops.
    await m.deps.db.updateTable('accounts').set({ status: 'locked' }).execute();
    const back = await overSocket(browser, resume);
    const location = String(back.headers.get('location') ?? '');
    assert.doesNotMatch(location, /code=/, 'no code for a contained account');
    assert.ok(!location.startsWith(SHOP_CALLBACK) || /error=/.test(location), location);
  });

  test('a signed-in customer signs in to the shop: ID token and userinfo carry who, how, and the hold', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    const tokens = await shopSignsIn(m, shop, browser);
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.email, EMAIL);
    assert.equal(claims.email_verified, true);
    assert.equal(claims.name, 'Hana Sato');
    assert.ok(typeof claims.auth_time === 'number');
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.acr, 'http://idmanagement.gov/ns/assurance/aal/1');
    assert.ok(HOLD_CLAIM in claims, JSON.stringify(claims));
    assert.ok(tokens.refresh_token, 'a refresh token');
    const info = await client.fetchUserInfo(shop.config, tokens.access_token, claims.sub);
    assert.equal(info.email, EMAIL);
    assert.equal(info.locale, 'en');
  });

  test('no PKCE, a wrong redirect URI, or an unknown client: refused, and nothing is issued', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    const base = `${m.issuer}/oidc/auth?client_id=${shop.clientId}&response_type=code&scope=openid`;
    const noPkce = await browser.get(
      `${new URL(base).pathname}${new URL(base).search}&redirect_uri=${encodeURIComponent(SHOP_CALLBACK)}`,
    );
    assert.equal(noPkce.statusCode, 303);
    assert.match(
      String(noPkce.headers.location),
      /^http:\/\/localhost:3001\/callback\?error=invalid_request.*PKCE.*&iss=/,
    );
    const start = await authorizationUrl(shop, { redirect_uri: 'http://localhost:3001/callback/extra' });
    const wrong = await browser.get(start.url.pathname + start.url.search);
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.headers.location, undefined, 'never redirected to an unregistered URI');
    assert.match(wrong.body, /did not work/);
    const unknown = await browser.get(`/oidc/auth?client_id=nobody&response_type=code&scope=openid`);
    assert.equal(unknown.statusCode, 400);
    const issued = await m.deps.db
      .selectFrom('oidc_payloads')
      .select('kind')
      .where('kind', '=', 'AuthorizationCode')
      .execute();
    assert.equal(issued.length, 0);
  });

  test('the authorization response carries iss (RFC 9207); a code is single-use', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    const start = await authorizationUrl(shop);
    const end = await followInBrowser(browser, start.url, m.issuer);
    assert.equal(end.url.searchParams.get('iss'), m.issuer);
    const checks = { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce };
    await client.authorizationCodeGrant(shop.config, end.url, checks);
    await assert.rejects(client.authorizationCodeGrant(shop.config, end.url, checks), oauthError('invalid_grant'));
  });

  test('refresh tokens rotate; a reused one revokes the whole grant', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    const first = await shopSignsIn(m, shop, browser);
    const second = await client.refreshTokenGrant(shop.config, String(first.refresh_token));
    assert.ok(second.refresh_token && second.refresh_token !== first.refresh_token, 'a new refresh token');
    await assert.rejects(
      client.refreshTokenGrant(shop.config, String(first.refresh_token)),
      oauthError('invalid_grant'),
    );
    await assert.rejects(
      client.refreshTokenGrant(shop.config, String(second.refresh_token)),
      oauthError('invalid_grant'),
      'the reuse revoked the grant, its newest token too',
    );
    const active = await client.tokenIntrospection(shop.config, second.access_token);
    assert.equal(active.active, false);
  });

  test('a rotated secret or a removed client stops at once, though the provider just used that client', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    const first = await shopSignsIn(m, shop, browser);
    const second = await client.refreshTokenGrant(shop.config, String(first.refresh_token));
    assert.equal((await client.tokenIntrospection(shop.config, second.access_token)).active, true);
    // Nothing tells the provider: the rows change in the store, as another instance or the CLI changes them.
    const newSecret = await rotateClientSecret(m.deps, shop.clientId);
    await assert.rejects(
      client.refreshTokenGrant(shop.config, String(second.refresh_token)),
      oauthError('invalid_client'),
      'the intruder holding the old secret is refused',
    );
    await assert.rejects(client.tokenIntrospection(shop.config, second.access_token), oauthError('invalid_client'));
    const rotated = await client.discovery(new URL(m.issuer), shop.clientId, newSecret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const third = await client.refreshTokenGrant(rotated, String(second.refresh_token));
    assert.ok(third.refresh_token, 'the new secret works');
    await removeClient(m.deps, shop.clientId);
    await assert.rejects(
      client.refreshTokenGrant(rotated, String(third.refresh_token)),
      oauthError('invalid_client'),
      "the intruder holding the removed client's current secret is refused",
    );
    await assert.rejects(client.tokenIntrospection(rotated, third.access_token), oauthError('invalid_client'));
  });

  test('intruder: a code issued before the secret rotated is refused with the old secret, and still unused for the new one', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    // The provider has just built the client with the old secret: one exchange goes through first.
    await shopSignsIn(m, shop, browser);
    const start = await authorizationUrl(shop);
    const end = await followInBrowser(browser, start.url, m.issuer);
    const checks = { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce };
    const newSecret = await rotateClientSecret(m.deps, shop.clientId);
    await assert.rejects(
      client.authorizationCodeGrant(shop.config, end.url, checks),
      oauthError('invalid_client'),
      'the old secret redeems nothing',
    );
    const rotated = await client.discovery(new URL(m.issuer), shop.clientId, newSecret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const tokens = await client.authorizationCodeGrant(rotated, end.url, checks);
    assert.ok(tokens.id_token, 'the refused attempt did not use the code up');
    await removeClient(m.deps, shop.clientId);
    await assert.rejects(
      client.authorizationCodeGrant(rotated, end.url, checks),
      oauthError('invalid_client'),
      'a removed client redeems nothing',
    );
  });

  test('a path or method the provider does not serve: a 404 in the OAuth error shape, through either door', async () => {
    for (const [method, path] of [
      ['GET', '/oidc/nowhere'],
      ['GET', '/oidc/token'],
      ['POST', '/oidc/me/extra'],
    ] as const) {
      const res = await fetch(`${m.issuer}${path}`, { method });
      assert.equal(res.status, 404, `${method} ${path}`);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body.error, 'invalid_request', `${method} ${path}`);
      assert.equal(body.error_description, `${method} ${path} is not an endpoint here`);
    }
  });

  test('revocation (RFC 7009) and introspection (RFC 7662)', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    const tokens = await shopSignsIn(m, shop, browser);
    const live = await client.tokenIntrospection(shop.config, tokens.access_token);
    assert.equal(live.active, true);
    assert.equal(live.sub, tokens.claims()?.sub);
    await client.tokenRevocation(shop.config, String(tokens.refresh_token));
    await assert.rejects(
      client.refreshTokenGrant(shop.config, String(tokens.refresh_token)),
      oauthError('invalid_grant'),
    );
  });

  test('Mamori API tokens are JWTs (RFC 9068) for the resource that asked for them', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    const api = `${m.issuer}/api`;
    const tokens = await shopSignsIn(m, shop, browser, { scope: 'openid account:read', resource: api });
    const refreshed = await client.refreshTokenGrant(shop.config, String(tokens.refresh_token), { resource: api });
    assert.equal(decodeProtectedHeader(refreshed.access_token).typ, 'at+jwt');
    const jwks = createRemoteJWKSet(new URL(`${m.issuer}/oidc/jwks`));
    const { payload } = await jwtVerify(refreshed.access_token, jwks, {
      issuer: m.issuer,
      audience: api,
      typ: 'at+jwt',
      currentDate: new Date(Number(decodeJwtIat(refreshed.access_token)) * 1000),
    });
    assert.equal(payload.sub, tokens.claims()?.sub);
    assert.equal(payload.scope, 'account:read');
  });

  test('another shop asks for consent; declining sends the customer back with access_denied', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m, { name: 'Partner shop', firstParty: false });
    const start = await authorizationUrl(shop);
    const page = await followInBrowser(browser, start.url, m.issuer);
    assert.equal(page.status, 200);
    assert.match(page.body, /Sign in to Partner shop\?/);
    assert.match(page.body, /your email address/);
    const declined = await browser.post(`${page.url.pathname}/consent`, { decision: 'deny' });
    const back = await followInBrowser(browser, String(refreshTarget(declined.body)), m.issuer);
    assert.equal(back.url.searchParams.get('error'), 'access_denied');
    const again = await authorizationUrl(shop);
    const consent = await followInBrowser(browser, again.url, m.issuer);
    const allowed = await browser.post(`${consent.url.pathname}/consent`, { decision: 'allow' });
    const done = await followInBrowser(browser, String(refreshTarget(allowed.body)), m.issuer);
    assert.ok(done.url.searchParams.get('code'));
  });

  /** The interactions a browser already signed in to Mamori goes through on its way back to the shop. */
  async function interactionsOnTheWay(browser: TestClient, start: URL): Promise<{ uids: Set<string>; end: URL }> {
    const uids = new Set<string>();
    let next = start;
    for (let hop = 0; hop < 12 && next.origin === m.issuer; hop += 1) {
      const uid = /^\/interaction\/([^/]+)$/.exec(next.pathname)?.[1];
      if (uid) uids.add(uid);
      const res = await browser.get(next.pathname + next.search);
      const location = res.headers.location ?? refreshTarget(res.body);
      assert.ok(location, `stopped at ${next.href}: ${res.statusCode}`);
      next = new URL(String(location), m.issuer);
    }
    return { uids, end: next };
  }

  test("the store's own shop is granted with the sign-in: one interaction, the scopes it asked, API scopes refused", async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    const start = await authorizationUrl(shop, { scope: 'openid email profile account:read' });
    const { uids, end } = await interactionsOnTheWay(browser, start.url);
    assert.equal(uids.size, 1, 'no second interaction for consent');
    assert.equal(end.origin + end.pathname, SHOP_CALLBACK);
    const tokens = await client.authorizationCodeGrant(shop.config, end, {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
      expectedNonce: start.nonce,
    });
    assert.equal(tokens.scope, 'openid email profile', 'the API scope asked as an OpenID scope is not granted');
    assert.equal(tokens.claims()?.email, EMAIL);
  });

  test('the intruder asks for more than the plain scopes: prompt=consent, a resource or another scope still takes the consent step', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    const asks: Record<string, string>[] = [
      { prompt: 'consent' },
      { scope: 'openid account:read', resource: `${m.issuer}/api` },
      { scope: 'openid email offline_access', prompt: 'consent' },
    ];
    for (const extra of asks) {
      // A browser signed in to Mamori but not yet to the provider: the sign-in interaction, then consent.
      const { client: fresh } = await signIn(m, EMAIL);
      const start = await authorizationUrl(shop, extra);
      const { uids, end } = await interactionsOnTheWay(fresh, start.url);
      assert.equal(uids.size, 2, `a consent step for ${JSON.stringify(extra)}`);
      assert.equal(end.origin + end.pathname, SHOP_CALLBACK);
    }
    const partner = await registerShop(m, { name: 'Partner shop', firstParty: false });
    const page = await followInBrowser(browser, (await authorizationUrl(partner)).url, m.issuer);
    assert.match(page.body, /Sign in to Partner shop\?/, 'a shop that is not the store’s own is still asked');
  });

  test("a customer not signed in gets Mamori's sign-in at the interaction, and its form finishes it on the way back to the shop", async () => {
    await registerAndVerify(m, EMAIL);
    const shop = await registerShop(m);
    const browser = new TestClient(m.app);
    const start = await authorizationUrl(shop);
    const page = await followInBrowser(browser, start.url, m.issuer);
    assert.equal(page.status, 200);
    assert.match(page.body, /Maple Market storefront/, 'the form says which shop it is for');
    const signedIn = await signInAtInteraction(browser, page, EMAIL, PASSWORD);
    assert.equal(signedIn.statusCode, 200, 'answered in the same request, no round trip through GET /interaction');
    const end = await followInBrowser(browser, String(refreshTarget(signedIn.body)), m.issuer);
    assert.equal(end.url.origin + end.url.pathname, SHOP_CALLBACK);
    const tokens = await client.authorizationCodeGrant(shop.config, end.url, {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
      expectedNonce: start.nonce,
    });
    assert.equal(tokens.claims()?.email, EMAIL);
  });

  test('the step on to the shop has no form, so no form token is made there; the old one is refused, the next page makes a new one', async () => {
    await registerAndVerify(m, EMAIL);
    const shop = await registerShop(m);
    const browser = new TestClient(m.app);
    const page = await followInBrowser(browser, (await authorizationUrl(shop)).url, m.issuer);
    const before = browser.csrf;
    const signedIn = await signInAtInteraction(browser, page, EMAIL, PASSWORD);
    assert.equal(signedIn.statusCode, 200);
    assert.ok(refreshTarget(signedIn.body), 'it moves on to the shop by itself');
    assert.doesNotMatch(signedIn.body, /<form|name="_csrf"/, 'no form, so no token on the page');
    const csrfCookies = (signedIn.cookies as { name: string; value: string }[]).filter((c) => c.name === 'mamori_csrf');
    assert.ok(
      csrfCookies.every((c) => c.value === ''),
      'the secret of before the sign-in is dropped, no new one made',
    );
    assert.equal(browser.cookies.has('mamori_csrf'), false);
    // The intruder holds the form token of before the sign-in: it is worth nothing now.
    const forged = await browser.post('/sign-out', { _csrf: before });
    assert.equal(forged.statusCode, 403);
    const account = await browser.get('/account');
    assert.equal(account.statusCode, 200);
    assert.notEqual(browser.csrf, before, 'the next page with a form makes a new token');
    const out = await browser.post('/sign-out');
    assert.equal(out.statusCode, 303, 'and it works');
  });

  test('the sign-in page reached by its own address (/sign-in?returnTo=) still comes back to the shop', async () => {
    await registerAndVerify(m, EMAIL);
    const shop = await registerShop(m);
    const browser = new TestClient(m.app);
    const start = await authorizationUrl(shop);
    const returnTo = (await followInBrowser(browser, start.url, m.issuer)).url.pathname;
    const page = await browser.get(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
    assert.match(page.body, /action="\/sign-in"/);
    const { res } = await signIn(m, EMAIL, undefined, browser, { returnTo });
    assert.equal(res.headers.location, returnTo);
    const end = await followInBrowser(browser, returnTo, m.issuer);
    assert.equal(end.url.origin + end.url.pathname, SHOP_CALLBACK);
  });

  test('intruder: the form under an interaction needs its CSRF token, and a wrong password finishes nothing', async () => {
    await registerAndVerify(m, EMAIL);
    const shop = await registerShop(m);
    const browser = new TestClient(m.app);
    const page = await followInBrowser(browser, (await authorizationUrl(shop)).url, m.issuer);
    const action = `${page.url.pathname}/sign-in`;
    const forged = await browser.post(action, {
      _csrf: 'forged',
      email: EMAIL,
      password: PASSWORD,
      returnTo: page.url.pathname,
    });
    assert.equal(forged.statusCode, 403);
    const wrong = await signInAtInteraction(browser, page, EMAIL, 'not the password at all');
    assert.equal(wrong.statusCode, 401);
    assert.match(
      wrong.body,
      new RegExp(`action="${action}"`),
      'the form shown again still posts under the interaction',
    );
    const again = await followInBrowser(browser, page.url.pathname, m.issuer);
    assert.equal(again.url.pathname, page.url.pathname, 'still waiting at the sign-in form');
    assert.match(again.body, /name="password"/);
  });

  test("intruder: signing in under another browser's interaction finishes nothing for it", async () => {
    await registerAndVerify(m, EMAIL);
    await registerAndVerify(m, 'ken@example.com');
    const shop = await registerShop(m);
    const victim = new TestClient(m.app);
    const page = await followInBrowser(victim, (await authorizationUrl(shop)).url, m.issuer);
    const intruder = new TestClient(m.app);
    await intruder.get('/sign-in');
    const res = await intruder.post(`${page.url.pathname}/sign-in`, {
      email: 'ken@example.com',
      password: PASSWORD,
      returnTo: page.url.pathname,
    });
    assert.equal(res.statusCode, 303, 'signed in to Mamori, sent on to the interaction, which is not theirs');
    assert.equal((await intruder.get(page.url.pathname)).statusCode, 400);
    const victimPage = await followInBrowser(victim, page.url.pathname, m.issuer);
    assert.equal(victimPage.url.pathname, page.url.pathname);
    assert.match(victimPage.body, /name="password"/, "the victim's authorization still waits for the victim");
  });

  test('containment ends the shop too: grants revoked, introspection inactive, a logout token delivered and verifiable', async () => {
    const receiver = await logoutReceiver([500, 502, 503]);
    try {
      const browser = await ownerSignedIn();
      const shop = await registerShop(m, { backchannelLogoutUri: receiver.url });
      const tokens = await shopSignsIn(m, shop, browser);
      assert.ok(tokens.claims()?.sid, 'the ID token names the session for back-channel logout');
      await m.deliver();
      await browser.get('/account/sessions');
      const signedOut = await browser.post('/account/sessions/sign-out-everywhere');
      assert.equal(signedOut.statusCode, 303, signedOut.body);
      assert.equal((await client.tokenIntrospection(shop.config, tokens.access_token)).active, false);
      await assert.rejects(
        client.refreshTokenGrant(shop.config, String(tokens.refresh_token)),
        oauthError('invalid_grant'),
      );
      // The shop fails three times, then answers 200: the token is accepted exactly once.
      for (let attempt = 0; attempt < 4; attempt += 1) {
        await m.deliver();
        m.clock.advance(60 * 60 * 1000);
      }
      await m.deliver();
      assert.equal(receiver.tokens.length, 1);
      const token = String(receiver.tokens[0]);
      assert.equal(decodeProtectedHeader(token).typ, 'logout+jwt');
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${m.issuer}/oidc/jwks`)), {
        issuer: m.issuer,
        audience: shop.clientId,
        typ: 'logout+jwt',
        currentDate: new Date(Number(payload0(token).iat) * 1000),
      });
      assert.equal(payload.sub, tokens.claims()?.sub);
      assert.equal(payload.sid, tokens.claims()?.sid, 'the shop session it ends (session_required)');
      assert.equal(payload.nonce, undefined);
      assert.ok(payload.jti);
      assert.deepEqual(payload.events, { [BACKCHANNEL_LOGOUT_EVENT]: {} });
      const attempts = await m.deps.db
        .selectFrom('delivery_attempts')
        .select(['ok', 'answer'])
        .orderBy('attempted_at')
        .execute();
      assert.deepEqual(
        attempts
          .filter((a) => a.answer.includes('HTTP'))
          .map((a) => [a.ok, a.answer.replace(/^.*(HTTP \d+).*$/, '$1')]),
        [
          [0, 'HTTP 500'],
          [0, 'HTTP 502'],
          [0, 'HTTP 503'],
          [1, 'HTTP 200'],
        ],
      );
      // Support sees the delivery on the case view: the shop, which sessions, each attempt and its answer.
      const staff = await staffSignedIn(m, 'agent');
      const casePage = await staff.get(`/staff/accounts/${String(payload.sub)}`);
      assert.equal(casePage.statusCode, 200);
      const section = /<section aria-labelledby="h-shop-sign-outs">[\s\S]*?<\/section>/.exec(casePage.body)?.[0] ?? '';
      assert.match(section, /Maple Market storefront/);
      assert.match(section, /sign out the sign-in that ended/);
      assert.match(section, /delivered/);
      assert.deepEqual(
        [...section.matchAll(/HTTP \d+/g)].map((match) => match[0]),
        ['HTTP 500', 'HTTP 502', 'HTTP 503', 'HTTP 200'],
      );
      assert.doesNotMatch(section, /logout_token|eyJ/, 'the token itself is never shown');
    } finally {
      await receiver.close();
    }
  });

  test("signing out of one session sends that sign-in's sid to the shops it signed into, and only those", async () => {
    const receiver = await logoutReceiver();
    try {
      const browser = await ownerSignedIn();
      const other = (await signIn(m, EMAIL)).client;
      const shop = await registerShop(m, { backchannelLogoutUri: receiver.url });
      const mine = await shopSignsIn(m, shop, browser);
      const theirs = await shopSignsIn(m, shop, other);
      await browser.get('/account');
      assert.equal((await browser.post('/sign-out')).statusCode, 303);
      await m.deliver();
      assert.equal(receiver.tokens.length, 1);
      assert.equal(payload0(String(receiver.tokens[0])).sid, mine.claims()?.sid);
      assert.equal((await client.tokenIntrospection(shop.config, mine.access_token)).active, false);
      assert.equal((await client.tokenIntrospection(shop.config, theirs.access_token)).active, true);
    } finally {
      await receiver.close();
    }
  });

  test('a locked account cannot finish an authorization, nor refresh what it had', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    const tokens = await shopSignsIn(m, shop, browser);
    await m.deps.db.updateTable('accounts').set({ status: 'locked' }).execute();
    const start = await authorizationUrl(shop);
    const end = await followInBrowser(browser, start.url, m.issuer);
    assert.match(end.url.pathname, /^\/interaction\//);
    assert.match(end.body, /name="password"/, 'sent to sign in, which a locked account cannot');
    await assert.rejects(
      client.refreshTokenGrant(shop.config, String(tokens.refresh_token)),
      oauthError('invalid_grant'),
    );
  });

  test("intruder: the shop's sign-in outlives its Mamori session; another account's session in that browser gets no code", async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    await shopSignsIn(m, shop, browser);
    await registerAndVerify(m, 'ken@example.com');
    const { client: intruder } = await signIn(m, 'ken@example.com');
    const sessionCookie = 'mamori_session';
    // The provider's session names the owner; the Mamori session the browser now carries is the intruder's.
    browser.cookies.set(sessionCookie, String(intruder.cookies.get(sessionCookie)));
    const start = await authorizationUrl(shop);
    const end = await followInBrowser(browser, start.url, m.issuer);
    // The intruder's session answers the sign-in; the provider then asks to end the owner's session first.
    assert.notEqual(end.url.origin + end.url.pathname, SHOP_CALLBACK, 'no code for the owner nor for the intruder');
    assert.doesNotMatch(end.body, /code=/);
    // And with no Mamori session at all, the provider's session alone gives no code either.
    browser.cookies.delete(sessionCookie);
    const alone = await followInBrowser(browser, (await authorizationUrl(shop)).url, m.issuer);
    assert.match(alone.url.pathname, /^\/interaction\//);
    assert.match(alone.body, /name="password"/, 'sent to sign in');
  });

  test('RP-initiated logout: confirmed at Mamori, it ends the Mamori session and returns to the shop', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    const tokens = await shopSignsIn(m, shop, browser);
    const url = client.buildEndSessionUrl(shop.config, {
      id_token_hint: String(tokens.id_token),
      post_logout_redirect_uri: 'http://localhost:3001/',
      state: 'bye',
    });
    const page = await followInBrowser(browser, url, m.issuer);
    assert.equal(page.status, 200);
    assert.match(page.body, /Sign out\?/);
    assert.match(String(page.headers['content-security-policy']), /form-action 'self' http:\/\/localhost:3001;/);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const done = await browser.post('/oidc/session/end/confirm', { xsrf, logout: 'yes' });
    assert.equal(done.statusCode, 303);
    assert.equal(String(done.headers.location), 'http://localhost:3001/?state=bye');
    await m.deps.afterAnswer.settled();
    const account = await browser.get('/account');
    assert.equal(account.statusCode, 303, 'the Mamori session ended too');
    assert.equal((await client.tokenIntrospection(shop.config, tokens.access_token)).active, false);
  });
  test('RP-initiated logout toward an address the shop never registered: refused, and the page allows no other form target', async () => {
    const browser = await ownerSignedIn();
    const shop = await registerShop(m);
    const tokens = await shopSignsIn(m, shop, browser);
    const url = client.buildEndSessionUrl(shop.config, {
      id_token_hint: String(tokens.id_token),
      post_logout_redirect_uri: 'https://intruder.example/collect',
    });
    const page = await followInBrowser(browser, url, m.issuer);
    assert.equal(page.status, 400);
    assert.doesNotMatch(page.body, /Sign out\?/);
    const policy = String(page.headers['content-security-policy']);
    assert.match(policy, /form-action 'self'(;|$)/);
    assert.doesNotMatch(policy, /intruder\.example/);
    const account = await browser.get('/account');
    assert.equal(account.statusCode, 200, 'the Mamori session is untouched');
  });
});

function payload0(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(String(token.split('.')[1]), 'base64url').toString()) as Record<string, unknown>;
}

function decodeJwtIat(token: string): number {
  return Number(payload0(token).iat);
}

/** openid-client's error for an OAuth error answer carries the code in `error`. */
function oauthError(code: string) {
  return (error: unknown) => (error as { error?: string }).error === code;
}
