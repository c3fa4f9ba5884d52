import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore, memoryLogger, type TestMamori } from '../support/harness.ts';
import { registerAndVerify, signIn } from '../support/flows.ts';
import { registerShop, SHOP_CALLBACK, shopSignsIn, startIssuer, type TestShop } from '../support/oidc.ts';

/** One request as it goes on the wire: the query and body are raw, so they can be malformed on purpose. */
interface Probe {
  label: string;
  method: string;
  path: string;
  query?: string;
  body?: string | Blob;
  contentType?: string;
  authorization?: string;
  accept?: string;
}

type Params = [string, string][];

/** An OIDC endpoint and a well-formed request to start from (its tokens and codes are made up). */
interface Endpoint {
  method: 'GET' | 'POST';
  path: string;
  params: Params;
  clientAuth: boolean;
}

/** Where a browser is sent: a refusal there may be a page for the person rather than JSON for the shop. */
const BROWSER_PAGES = new Set(['GET /oidc/auth', 'GET /oidc/session/end', 'POST /oidc/session/end/confirm']);
const isBrowserPage = (probe: Probe) =>
  BROWSER_PAGES.has(`${probe.method} ${probe.path}`) || probe.path.startsWith('/interaction/');
const STACK = /\bat [\w.<>]+ \(|\.ts:\d+|\.js:\d+|node_modules|TypeError|SyntaxError|RangeError/;
const OAUTH_ERROR = /^[a-z_]+$/;
/** Larger than anything the provider reads (56 KiB) and than any form Mamori takes. */
const OVERSIZED_BODY_VALUE = 'a'.repeat(60 * 1024);
/** Still under Node's 16 KiB header limit, so the provider itself has to answer it. */
const OVERSIZED_QUERY_VALUE = 'a'.repeat(6 * 1024);

const encode = (params: Params) =>
  params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/** Each parameter missing, repeated, oversized, empty, of the wrong shape, or badly encoded. */
function parameterMutations(params: Params, oversized: string): { label: string; raw: string }[] {
  const out: { label: string; raw: string }[] = [{ label: 'as given', raw: encode(params) }];
  params.forEach(([key, value], i) => {
    const others = params.filter((_, j) => j !== i);
    const replaced = (v: string) => encode(params.map(([k, x], j) => [k, j === i ? v : x]));
    out.push(
      { label: `${key} missing`, raw: encode(others) },
      { label: `${key} repeated`, raw: encode([...params, [key, value]]) },
      { label: `${key} repeated, differing`, raw: encode([...params, [key, `${value}x`]]) },
      { label: `${key} oversized`, raw: replaced(oversized) },
      { label: `${key} empty`, raw: replaced('') },
      {
        label: `${key} as an array`,
        raw: `${encode(others)}&${encodeURIComponent(`${key}[]`)}=${encodeURIComponent(value)}`,
      },
      { label: `${key} as JSON`, raw: replaced('{"$ne":null,"a":[1,2]}') },
      { label: `${key} a huge number`, raw: replaced('1e309') },
      { label: `${key} with a NUL byte`, raw: replaced(`${value}\u0000`) },
      { label: `${key} with control and bidi characters`, raw: replaced(`\r\n\u202e${value}\u{1F600}`) },
      { label: `${key} badly percent-encoded`, raw: `${encode(others)}&${key}=%E0%A4%A&%zz=%` },
    );
  });
  return out;
}

/** The whole request wrong: body types, encodings, credentials and methods the endpoint does not take. */
function requestMutations(endpoint: Endpoint, basic: string): Probe[] {
  const { method, path, params } = endpoint;
  const base = { method, path, authorization: endpoint.clientAuth ? basic : undefined };
  const asForm = (raw: string): Probe =>
    method === 'GET'
      ? { ...base, label: '', query: raw }
      : { ...base, label: '', body: raw, contentType: 'application/x-www-form-urlencoded' };
  const probes: Probe[] = parameterMutations(
    params,
    method === 'GET' ? OVERSIZED_QUERY_VALUE : OVERSIZED_BODY_VALUE,
  ).map(({ label, raw }) => ({ ...asForm(raw), label }));
  const form = encode(params);
  probes.push(
    { ...asForm(''), label: 'no parameters at all' },
    {
      ...base,
      label: 'unknown method PUT',
      method: 'PUT',
      body: form,
      contentType: 'application/x-www-form-urlencoded',
    },
    { ...base, label: 'unknown method DELETE', method: 'DELETE' },
  );
  if (method === 'POST') {
    const json = JSON.stringify(Object.fromEntries(params.map(([k, v]) => [k, [v, 1, null, { $gt: '' }]])));
    probes.push(
      { ...base, label: 'JSON body', body: json, contentType: 'application/json' },
      { ...base, label: 'form declared, JSON sent', body: json, contentType: 'application/x-www-form-urlencoded' },
      { ...base, label: 'plain text body', body: form, contentType: 'text/plain' },
      {
        ...base,
        label: 'multipart body',
        body: `--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--b--`,
        contentType: 'multipart/form-data; boundary=b',
      },
      {
        ...base,
        label: 'unknown charset',
        body: form,
        contentType: 'application/x-www-form-urlencoded; charset=utf-999',
      },
      {
        ...base,
        label: 'binary body',
        body: new Blob([new Uint8Array(4096).map((_, i) => (i * 7919) % 256)]),
        contentType: 'application/x-www-form-urlencoded',
      },
      {
        ...base,
        label: 'one megabyte body',
        body: `${form}&pad=${'b'.repeat(1024 * 1024)}`,
        contentType: 'application/x-www-form-urlencoded',
      },
      { ...base, label: 'no content type', body: form },
    );
  }
  if (endpoint.clientAuth) {
    const formProbe = asForm(form);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    probes.push(
      { ...formProbe, label: 'no client credentials', authorization: undefined },
      { ...formProbe, label: 'Basic without credentials', authorization: 'Basic' },
      { ...formProbe, label: 'Basic not base64', authorization: 'Basic !!!***' },
      { ...formProbe, label: 'Basic without a colon', authorization: `Basic ${b64('just-a-name')}` },
      { ...formProbe, label: 'Basic, empty id and secret', authorization: `Basic ${b64(':')}` },
      { ...formProbe, label: 'Basic, wrong secret', authorization: `${basic.slice(0, -4)}AAA=` },
      { ...formProbe, label: 'Basic, oversized', authorization: `Basic ${'A'.repeat(8000)}` },
      { ...formProbe, label: 'Bearer instead of Basic', authorization: 'Bearer abc' },
      {
        ...asForm(`${form}&client_id=x&client_secret=y`),
        label: 'two client authentications at once',
      },
    );
  }
  return probes;
}

/** What a refused request must look like: 4xx and an OAuth error body, or the error sent back to the shop. */
function violation(
  probe: Probe,
  status: number,
  contentType: string,
  body: string,
  location: string | null,
): string | null {
  if (status >= 500) return `${status}`;
  if (STACK.test(body)) return 'the body shows internals';
  if (status >= 300 && status < 400) {
    if (!location) return `${status} without a Location`;
    const to = new URL(location, 'http://mamori.invalid');
    const backToShop = to.href.startsWith(SHOP_CALLBACK) || to.href.startsWith('http://localhost:3001/');
    if (backToShop && to.searchParams.has('error') && !OAUTH_ERROR.test(to.searchParams.get('error') ?? ''))
      return `redirected with a malformed error ${location}`;
    if (!backToShop && !to.pathname.startsWith('/interaction/')) return `redirected somewhere unexpected: ${location}`;
    return null;
  }
  if (status < 400) return null;
  if (contentType.startsWith('text/html') && isBrowserPage(probe)) {
    // Pages a person's browser lands on tell the person, in a page, what went wrong (RFC 6749 §4.1.2.1).
    return /<html lang=/.test(body) ? null : `${status} is an HTML answer but not a page`;
  }
  if (!contentType.startsWith('application/json')) return `${status} answered as ${contentType || 'nothing'}`;
  const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
  if (typeof parsed.error !== 'string' || !OAUTH_ERROR.test(parsed.error)) return `no OAuth error in ${body}`;
  if (parsed.error_description !== undefined && typeof parsed.error_description !== 'string')
    return 'error_description is not text';
  return null;
}

/**
 * Every OIDC endpoint fuzzed (issue 14): each parameter missing, repeated, oversized, of the wrong type or
 * badly encoded; bodies of the wrong type; broken client credentials; methods it does not take. Never a
 * 5xx; a refusal is a 4xx with an OAuth error body (or, at the authorization endpoint, the error sent to
 * the registered redirect URI as OAuth says); nothing is stored by a refused request; nothing is logged
 * as a server error.
 */
forEachStore('OIDC endpoints under hostile input', (store) => {
  let m: TestMamori & { issuer: string };
  let shop: TestShop;
  let basic: string;
  const logged = memoryLogger();

  before(async () => {
    m = await startIssuer(store, {}, { log: logged.log });
    await registerAndVerify(m, 'hana@example.com');
    const { client: browser } = await signIn(m, 'hana@example.com');
    shop = await registerShop(m);
    await shopSignsIn(m, shop, browser);
    basic = `Basic ${Buffer.from(`${encodeURIComponent(shop.clientId)}:${encodeURIComponent(shop.clientSecret)}`).toString('base64')}`;
  });
  after(async () => {
    await m.close();
  });

  /** Rows a refused request must not add, change or remove. */
  const fingerprint = async () =>
    JSON.stringify(
      await Promise.all(
        (['oidc_payloads', 'oidc_session_links', 'oidc_clients', 'sessions', 'outbox', 'accounts'] as const).map((t) =>
          m.deps.db.selectFrom(t).selectAll().execute(),
        ),
      ),
    );

  async function send(
    probe: Probe,
  ): Promise<{ status: number; contentType: string; body: string; location: string | null }> {
    const url = new URL(probe.path, m.issuer);
    if (probe.query !== undefined) url.search = probe.query;
    const headers: Record<string, string> = { accept: probe.accept ?? 'application/json' };
    if (probe.contentType) headers['content-type'] = probe.contentType;
    if (probe.authorization) headers.authorization = probe.authorization;
    const res = await fetch(url, { method: probe.method, headers, body: probe.body, redirect: 'manual' });
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      body: await res.text(),
      location: res.headers.get('location'),
    };
  }

  test('every endpoint, every mutation: never a 5xx, refusals in OAuth form, nothing stored', async (t) => {
    const clientId = shop.clientId;
    const authorize: Params = [
      ['client_id', clientId],
      ['redirect_uri', SHOP_CALLBACK],
      ['response_type', 'code'],
      ['scope', 'openid email'],
      ['code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'],
      ['code_challenge_method', 'S256'],
      ['state', 'af0ifjsldkj'],
      ['max_age', '300'],
    ];
    const endpoints: Endpoint[] = [
      { method: 'GET', path: '/oidc/auth', params: authorize, clientAuth: false },
      { method: 'POST', path: '/oidc/auth', params: authorize, clientAuth: false },
      { method: 'POST', path: '/oidc/request', params: authorize.filter(([k]) => k !== 'client_id'), clientAuth: true },
      {
        method: 'POST',
        path: '/oidc/token',
        params: [
          ['grant_type', 'authorization_code'],
          ['code', 'SplxlOBeZQQYbYS6WxSbIA'],
          ['redirect_uri', SHOP_CALLBACK],
          ['code_verifier', 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'],
        ],
        clientAuth: true,
      },
      {
        method: 'POST',
        path: '/oidc/token',
        params: [
          ['grant_type', 'refresh_token'],
          ['refresh_token', 'tGzv3JOkF0XG5Qx2TlKWIA'],
          ['scope', 'openid'],
        ],
        clientAuth: true,
      },
      { method: 'GET', path: '/oidc/me', params: [['access_token', 'mF_9.B5f-4.1JqM']], clientAuth: false },
      { method: 'POST', path: '/oidc/me', params: [['access_token', 'mF_9.B5f-4.1JqM']], clientAuth: false },
      {
        method: 'POST',
        path: '/oidc/token/introspection',
        params: [
          ['token', 'mF_9.B5f-4.1JqM'],
          ['token_type_hint', 'access_token'],
        ],
        clientAuth: true,
      },
      {
        method: 'POST',
        path: '/oidc/token/revocation',
        params: [
          ['token', '45ghiukldjahdnhzdauz'],
          ['token_type_hint', 'refresh_token'],
        ],
        clientAuth: true,
      },
      {
        method: 'GET',
        path: '/oidc/session/end',
        params: [
          ['client_id', clientId],
          ['id_token_hint', 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln'],
          ['post_logout_redirect_uri', 'http://localhost:3001/'],
          ['state', 'xyz'],
        ],
        clientAuth: false,
      },
      {
        method: 'POST',
        path: '/oidc/session/end/confirm',
        params: [
          ['xsrf', 'c2VjcmV0'],
          ['logout', 'yes'],
        ],
        clientAuth: false,
      },
      { method: 'GET', path: '/oidc/jwks', params: [['kid', 'x']], clientAuth: false },
      { method: 'GET', path: '/.well-known/openid-configuration', params: [['x', 'y']], clientAuth: false },
      { method: 'GET', path: '/oidc/no-such-endpoint', params: [['x', 'y']], clientAuth: false },
      { method: 'GET', path: '/interaction/x', params: [['uid', 'x']], clientAuth: false },
      { method: 'POST', path: '/interaction/x/consent', params: [['decision', 'allow']], clientAuth: false },
    ];

    const problems: string[] = [];
    let refused = 0;
    let sent = 0;
    let storedByAccepted = 0;
    for (const endpoint of endpoints) {
      const probes = requestMutations(endpoint, basic);
      // What a browser sends, too, where a browser goes.
      const asBrowser = probes
        .filter(isBrowserPage)
        .map((p) => ({ ...p, label: `${p.label}, as a browser`, accept: 'text/html' }));
      for (const probe of [...probes, ...asBrowser]) {
        const before = await fingerprint();
        const answer = await send(probe);
        sent += 1;
        const where = `${probe.method} ${probe.path} (${probe.label})`;
        const problem = violation(probe, answer.status, answer.contentType, answer.body, answer.location);
        if (problem) problems.push(`${where}: ${problem}`);
        const isRefusal =
          answer.status >= 400 ||
          (answer.location !== null && new URL(answer.location, m.issuer).searchParams.has('error'));
        const changed = (await fingerprint()) !== before;
        if (isRefusal) {
          refused += 1;
          if (changed) problems.push(`${where}: refused, yet the store changed`);
        } else if (changed) storedByAccepted += 1;
      }
    }
    assert.deepEqual(problems, []);
    t.diagnostic(`${sent} sent, ${refused} refused, ${storedByAccepted} accepted and stored`);
    assert.ok(sent > 800, `${sent} requests sent`);
    assert.ok(refused > sent * 0.8, `${refused} of ${sent} refused`);
    // The well-formed authorization requests start an interaction: the fingerprint does see a write.
    assert.ok(storedByAccepted > 0, 'an accepted request stored something');
    assert.deepEqual(
      logged.lines.filter((line) => Number(line.level) >= 50).map((line) => line.msg),
      [],
      'no server error logged',
    );
  });
});
