import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { clientAddressRule, isAuthorizationEndpoint, isMachineEndpoint } from '../../src/http/provider-fast-path.ts';

const FORWARDED = [
  undefined,
  '',
  '203.0.113.7',
  '203.0.113.7, 198.51.100.1',
  '10.0.0.1,203.0.113.7 , 198.51.100.1',
  ' , 203.0.113.7,,198.51.100.1 ',
  'spoofed, 203.0.113.7, 198.51.100.1, 192.0.2.4',
];

/** The fast path must name the same client Fastify's request.ip does, whatever an intruder forwards. */
for (const hops of [false, 0, 1, 2, 3] as const) {
  test(`the client address matches Fastify's request.ip (trust proxy: ${String(hops)})`, async () => {
    const app = Fastify({
      trustProxy: typeof hops === 'number' ? (_address: string, hop: number) => hop < hops : false,
    });
    const rule = clientAddressRule(hops);
    assert.ok(rule);
    let fromRule: string | undefined;
    app.get('/ip', async (request) => {
      fromRule = rule(request.raw);
      return { ip: request.ip };
    });
    for (const forwarded of FORWARDED) {
      const res = await app.inject({
        url: '/ip',
        headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
      });
      assert.equal(fromRule, (res.json() as { ip: string }).ip, `X-Forwarded-For: ${forwarded}`);
    }
    await app.close();
  });
}

test('a list of trusted proxies is matched by Fastify alone: no fast path then', () => {
  assert.equal(clientAddressRule(['10.0.0.0/8']), null);
});

test('only the machine endpoints, by exact path, take the fast path', () => {
  for (const url of [
    '/oidc/token',
    '/oidc/token?x=1',
    '/oidc/token/introspection',
    '/oidc/token/revocation',
    '/oidc/me',
  ])
    assert.equal(isMachineEndpoint(url), true, url);
  for (const url of [
    '/oidc/auth',
    '/oidc/token/',
    '/oidc/tokenx',
    '/oidc/session/end',
    '/interaction/x',
    '/',
    undefined,
  ])
    assert.equal(isMachineEndpoint(url), false, String(url));
});

test('the authorization endpoint and its resume, by exact path, take the fast path too', () => {
  for (const url of ['/oidc/auth', '/oidc/auth?client_id=x', '/oidc/auth/AbC_12-x', '/oidc/auth/AbC_12-x?x=1'])
    assert.equal(isAuthorizationEndpoint(url), true, url);
  for (const url of [
    '/oidc/auth/',
    '/oidc/authx',
    '/oidc/auth/a/b',
    '/oidc/auth/%2e%2e',
    '/oidc/auth/../account',
    '/interaction/x',
    '/oidc/session/end',
    undefined,
  ])
    assert.equal(isAuthorizationEndpoint(url), false, String(url));
});
