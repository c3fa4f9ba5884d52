import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import * as client from 'openid-client';
import { addClient } from '../../src/services/oidc/clients.ts';
import { startMamori, type StoreName, type TestMamori } from './harness.ts';
import { type TestClient } from './http-client.ts';
import { freePort, listenOnLoopback } from './loopback.ts';

export const SHOP_CALLBACK = 'http://localhost:3001/callback';

/** Mamori listening on loopback, its issuer the address it answers on. */
export async function startIssuer(
  store: StoreName,
  env: Record<string, string> = {},
  options: Parameters<typeof startMamori>[2] = {},
  /** Hooks a test adds to Mamori's app, which Fastify takes only before it listens. */
  beforeListen?: (m: TestMamori) => void,
): Promise<TestMamori & { issuer: string }> {
  const port = await freePort();
  const issuer = `http://localhost:${port}`;
  const m = await startMamori(store, { MAMORI_PUBLIC_URL: issuer, ...env }, options);
  beforeListen?.(m);
  await m.app.listen({ port, host: '127.0.0.1' });
  return { ...m, issuer };
}

export interface TestShop {
  clientId: string;
  clientSecret: string;
  config: client.Configuration;
}

export async function registerShop(
  m: TestMamori & { issuer: string },
  options: { name?: string; firstParty?: boolean; backchannelLogoutUri?: string } = {},
): Promise<TestShop> {
  const { client: registered, clientSecret } = await addClient(m.deps, {
    name: options.name ?? 'Maple Market storefront',
    redirectUris: [SHOP_CALLBACK],
    postLogoutRedirectUris: ['http://localhost:3001/'],
    backchannelLogoutUri: options.backchannelLogoutUri,
    firstParty: options.firstParty ?? true,
  });
  const config = await client.discovery(new URL(m.issuer), registered.clientId, clientSecret, undefined, {
    execute: [client.allowInsecureRequests],
  });
  return { clientId: registered.clientId, clientSecret, config };
}

export interface AuthorizationStart {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function authorizationUrl(
  shop: TestShop,
  extra: Record<string, string> = {},
): Promise<AuthorizationStart> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(shop.config, {
    redirect_uri: SHOP_CALLBACK,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/**
 * Follows the browser through Mamori (cookies kept) until it is sent back to the shop, or stops at a
 * Mamori page; returns where it ended and the last answer.
 */
export async function followInBrowser(browser: TestClient, start: URL | string, issuer: string) {
  let next = new URL(String(start), issuer);
  for (let hop = 0; hop < 12; hop += 1) {
    if (next.origin !== issuer) return { url: next, status: 0, body: '', headers: {} };
    const res = await browser.get(next.pathname + next.search);
    const location = res.headers.location ?? refreshTarget(res.body);
    if (!location) return { url: next, status: res.statusCode, body: res.body, headers: res.headers };
    next = new URL(String(location), issuer);
  }
  throw new Error('too many redirects');
}

/**
 * A shopper not yet signed in, at the sign-in form a shop's authorization stops at (the interaction's own
 * address): fills in the form as it is on the page (where it posts, its returnTo) and sends it.
 */
export async function signInAtInteraction(
  browser: TestClient,
  page: { url: URL; body: string },
  email: string,
  password: string,
) {
  assert.match(page.url.pathname, /^\/interaction\/[\w-]+$/, `not an interaction: ${page.url.href}`);
  const action = /<form method="post" action="([^"]+)"[^>]*>(?:(?!<\/form>)[\s\S])*name="password"/.exec(
    page.body,
  )?.[1];
  assert.equal(action, `${page.url.pathname}/sign-in`, 'the sign-in form posts back under its interaction');
  const returnTo = /name="returnTo" value="([^"]*)"/.exec(page.body)?.[1];
  assert.equal(returnTo, page.url.pathname);
  return browser.post(action, { email, password, returnTo });
}

/** Where a page moves on by itself (`<meta http-equiv="refresh">`), as a browser follows it. */
export function refreshTarget(body: string): string | undefined {
  const target = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(body)?.[1];
  return target?.replaceAll('&amp;', '&');
}

/** The whole code flow for a browser already signed in to Mamori: tokens, or a failed assertion. */
export async function shopSignsIn(
  m: TestMamori & { issuer: string },
  shop: TestShop,
  browser: TestClient,
  extra: Record<string, string> = {},
) {
  const start = await authorizationUrl(shop, extra);
  const end = await followInBrowser(browser, start.url, m.issuer);
  assert.equal(
    end.url.origin + end.url.pathname,
    SHOP_CALLBACK,
    `stopped at ${end.url.href}: ${end.body.slice(0, 300)}`,
  );
  return client.authorizationCodeGrant(shop.config, end.url, {
    pkceCodeVerifier: start.verifier,
    expectedState: start.state,
    expectedNonce: start.nonce,
  });
}

/** A shop's back-channel logout endpoint: answers with the queued statuses, keeps every token it got. */
export async function logoutReceiver(
  statuses: number[] = [],
): Promise<{ url: string; tokens: string[]; server: Server; close(): Promise<void> }> {
  const tokens: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) tokens.push(new URLSearchParams(body).get('logout_token') ?? '');
      response.writeHead(status, { 'cache-control': 'no-store' }).end();
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/backchannel-logout`,
    tokens,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The code flow at a shop that is not the store's own: the customer is asked, and allows it. */
export async function partnerSignsIn(
  m: TestMamori & { issuer: string },
  shop: TestShop,
  browser: TestClient,
  scope = 'openid email profile',
) {
  const start = await authorizationUrl(shop, { scope });
  const consent = await followInBrowser(browser, start.url, m.issuer);
  assert.equal(consent.status, 200, `no consent page at ${consent.url.href}`);
  const allowed = await browser.post(`${consent.url.pathname}/consent`, { decision: 'allow' });
  const end = await followInBrowser(browser, String(refreshTarget(allowed.body)), m.issuer);
  assert.equal(end.url.origin + end.url.pathname, SHOP_CALLBACK, `stopped at ${end.url.href}`);
  return client.authorizationCodeGrant(shop.config, end.url, {
    pkceCodeVerifier: start.verifier,
    expectedState: start.state,
    expectedNonce: start.nonce,
  });
}
