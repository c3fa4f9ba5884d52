// What a shop (the relying party) and its shoppers' browsers send an OpenID Provider, over kept-alive
// loopback sockets, CONNECTIONS at a time, bounded by count: code exchange, refresh-token rotation, and
// the whole sign-in through the shop (authorize → the provider's sign-in form → code → tokens), driven the
// same way against every provider: redirects and JSON `url` answers followed, the form holding the password
// field posted with its hidden fields, cookies kept per browser. Each answer is checked, so a provider that
// fails the work fails the run instead of looking fast.
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { benchEmail, benchOwnerDevice, benchPassword } from './fixtures.ts';
import { BENCH_REDIRECT_URI, BENCH_VERIFIER, type MintedCodes } from './oidc-servers.ts';
import { percentile } from './stats.ts';

export type Rate = { rps: number; p99: number };
type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

export function rpClient(connections: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const send = (method: string, url: URL, headers: Record<string, string>, body?: string) =>
    new Promise<Answer>((resolve, reject) => {
      const req = request(url, {
        method,
        agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  /** Runs `count` operations, `connections` at a time; operations per second and the p99 of one, in ms. */
  const load = async (count: number, operation: (n: number, worker: number) => Promise<void>): Promise<Rate> => {
    let next = 0;
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async (_, worker) => {
        while (next < count) {
          const n = next++;
          const at = performance.now();
          await operation(n, worker);
          latencies.push(performance.now() - at);
        }
      }),
    );
    return { rps: count / ((performance.now() - started) / 1000), p99: percentile(latencies, 0.99) };
  };
  return { send, load, close: () => agent.destroy() };
}

type Client = ReturnType<typeof rpClient>;
type Tokens = { access_token: string; refresh_token?: string; id_token?: string };

const basicOf = (minted: MintedCodes) =>
  `Basic ${Buffer.from(`${encodeURIComponent(minted.clientId)}:${encodeURIComponent(minted.clientSecret)}`).toString('base64')}`;

/** The shop's back end at the token endpoint, client_secret_basic; the tokens, or the run fails. */
export async function tokenRequest(client: Client, minted: MintedCodes, form: Record<string, string>): Promise<Tokens> {
  const body = new URLSearchParams(form).toString();
  const res = await client.send(
    'POST',
    new URL(minted.endpoints.token),
    { 'content-type': 'application/x-www-form-urlencoded', authorization: basicOf(minted) },
    body,
  );
  if (res.status !== 200 || !res.body.includes('"id_token"'))
    throw new Error(`${minted.endpoints.token}: ${form.grant_type} answered ${res.status}: ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body) as Tokens;
}

export const redeem = (client: Client, minted: MintedCodes, code: string, verifier = BENCH_VERIFIER) =>
  tokenRequest(client, minted, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: BENCH_REDIRECT_URI,
    code_verifier: verifier,
  });

export const rotate = (client: Client, minted: MintedCodes, refreshToken: string) =>
  tokenRequest(client, minted, { grant_type: 'refresh_token', refresh_token: refreshToken });

const decode = (text: string) =>
  text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

/** The form with the password field: where it posts, and its hidden fields. */
function passwordForm(html: string): { action: string | undefined; hidden: [string, string][] } | undefined {
  for (const [, attributes = '', inner = ''] of html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)) {
    if (!/name="password"/.test(inner)) continue;
    const action = /action="([^"]*)"/.exec(attributes)?.[1];
    const hidden: [string, string][] = [];
    for (const [input] of inner.matchAll(/<input[^>]*>/g)) {
      if (!/type="hidden"/.test(input)) continue;
      const name = /name="([^"]*)"/.exec(input)?.[1];
      if (name) hidden.push([name, decode(/value="([^"]*)"/.exec(input)?.[1] ?? '')]);
    }
    return { action: action === undefined ? undefined : decode(action), hidden };
  }
  return undefined;
}

/** Where an answer sends the browser next: a redirect, a JSON `url` (what the provider's own script follows), or a meta refresh. */
function nextHop(res: Answer): string | undefined {
  const location = res.headers.location;
  if (typeof location === 'string' && res.status >= 300 && res.status < 400) return location;
  if (String(res.headers['content-type']).includes('json')) {
    const url = (JSON.parse(res.body) as { url?: unknown }).url;
    return typeof url === 'string' ? url : undefined;
  }
  const refresh = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(res.body)?.[1];
  return refresh === undefined ? undefined : decode(refresh);
}

function keepCookies(jar: Map<string, string>, res: Answer): void {
  const set = res.headers['set-cookie'];
  for (const cookie of Array.isArray(set) ? set : []) {
    const [pair = '', ...attributes] = cookie.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=.*1970/i.test(a));
    if (gone || at === pair.length - 1) jar.delete(name);
    else jar.set(name, pair.slice(at + 1));
  }
}

/**
 * Shopper n signs in to the shop: a browser with no session at the provider (Mamori's returning shopper
 * carries the device cookie of their own browser), sent to the authorization endpoint with a fresh state
 * and PKCE pair, through the provider's sign-in form with the right password, back to the shop with a
 * code, which the shop redeems for tokens.
 */
export async function signInThroughShop(client: Client, minted: MintedCodes, n: number, users: number) {
  const user = n % users;
  const jar = new Map<string, string>();
  if (minted.deviceCookie) jar.set(minted.deviceCookie, benchOwnerDevice(user));
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  let url = new URL(minted.endpoints.authorize);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: minted.clientId,
    redirect_uri: BENCH_REDIRECT_URI,
    scope: minted.scope,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  let form: string | undefined;
  let signedIn = false;
  for (let hop = 0; hop < 12 && !url.href.startsWith(BENCH_REDIRECT_URI); hop += 1) {
    const headers: Record<string, string> = {
      accept: 'text/html',
      cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
    };
    if (form !== undefined)
      Object.assign(headers, { 'content-type': 'application/x-www-form-urlencoded', origin: url.origin });
    const res = await client.send(form === undefined ? 'GET' : 'POST', url, headers, form);
    keepCookies(jar, res);
    form = undefined;
    const next = nextHop(res);
    const page = next === undefined && res.status === 200 && !signedIn ? passwordForm(res.body) : undefined;
    if (next !== undefined) url = new URL(next, url);
    else if (page) {
      const fields = new URLSearchParams(page.hidden);
      fields.set('email', benchEmail(user));
      fields.set('password', benchPassword(user));
      form = fields.toString();
      signedIn = true;
      if (page.action) url = new URL(page.action, url);
    } else throw new Error(`sign-in through the shop stopped at ${url.href}: ${res.status} ${res.body.slice(0, 200)}`);
  }
  if (url.searchParams.get('state') !== state || !url.searchParams.get('code'))
    throw new Error(`sign-in through the shop ended at ${url.href}`);
  await redeem(client, minted, url.searchParams.get('code') ?? '', verifier);
}
