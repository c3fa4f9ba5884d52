import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { HOLD_CLAIM } from '../../src/core/oidc/claims.ts';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/core/oidc/logout-token.ts';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { registerAndVerify, signIn } from '../support/flows.ts';
import {
  authorizationUrl,
  followInBrowser,
  logoutReceiver,
  registerShop,
  SHOP_CALLBACK,
  shopSignsIn,
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
});
