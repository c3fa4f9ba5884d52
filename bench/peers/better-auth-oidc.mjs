// Better Auth with its OAuth 2.1 provider plugin (@better-auth/oauth-provider), as a shop's OpenID
// Provider: one process, forked by bench/oidc-peers.ts with the port as argv[2]. SQLite file
// (better-sqlite3, WAL and synchronous NORMAL like Mamori's store), argon2id with the parameters of
// Mamori (BENCH_ARGON2) through emailAndPassword's password hooks, ES256 ID tokens (jwt plugin), one
// first-party client that skips consent, BENCH_USERS accounts, and BENCH_CODES authorization codes
// minted through the plugin's own authorize endpoint with the bench's PKCE challenge. Writes the
// client, the codes and its endpoints to BENCH_CODES_FILE, then tells its parent it listens.
// Plain JavaScript: it runs on this folder's own node_modules (npm run bench:peers installs them).
/* global Headers, Request, URLSearchParams -- Node 20 has them; the lint config lists only the usual globals */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { hash, verify } from '@node-rs/argon2';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { jwt } from 'better-auth/plugins';
import { oauthProvider } from '@better-auth/oauth-provider';

const port = Number(process.argv[2]);
const base = `http://127.0.0.1:${port}`;
const env = (name) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`better-auth-oidc: ${name} is not set`);
  return value;
};
const argon2 = { algorithm: 2, outputLen: 32, ...JSON.parse(env('BENCH_ARGON2')) };
const users = Number(env('BENCH_USERS'));
const count = Number(env('BENCH_CODES'));
const redirectUri = env('BENCH_REDIRECT_URI');
const challenge = createHash('sha256').update(env('BENCH_VERIFIER')).digest('base64url');
const benchEmail = (i) => `user${i}@bench.example`;
const benchPassword = (i) => `bench passphrase number ${i} river`;
// The shop asks for what it asks Mamori for, and offline_access: the plugin issues refresh tokens only then.
const SCOPE = 'openid email profile offline_access';

const db = new Database(env('BENCH_DB'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');

const options = {
  appName: 'bench-peer',
  baseURL: base,
  basePath: '/api/auth',
  secret: 'bench-only-fixed-secret-0123456789abcdef0123456789abcdef',
  database: db,
  emailAndPassword: {
    enabled: true,
    password: {
      hash: (password) => hash(password, argon2),
      verify: ({ hash: stored, password }) => verify(stored, password),
    },
  },
  // The plugin's token endpoint replaces the jwt plugin's /token (as its documentation says).
  disabledPaths: ['/token'],
  // On by default in production and would throttle the bench; Mamori's own limits are raised alike.
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { level: 'error' },
  plugins: [
    jwt({ jwks: { keyPairConfig: { alg: 'ES256', crv: 'P-256' } } }),
    oauthProvider({
      loginPage: '/sign-in',
      consentPage: '/consent',
      scopes: ['openid', 'email', 'profile', 'offline_access'],
      // An hour rather than ten minutes: the last round redeems codes minted minutes before (as for the others).
      codeExpiresIn: 3600,
      // The bench shop listens on loopback over plain HTTP, as Mamori's and the bare providers' do.
      allowInsecureRedirectUri: (url) => url.href === redirectUri,
    }),
  ],
};
const auth = betterAuth(options);
await (await getMigrations(options)).runMigrations();

for (let i = 0; i < users; i += 1)
  await auth.api.signUpEmail({ body: { email: benchEmail(i), password: benchPassword(i), name: 'Bench Shopper' } });

// The client is registered by a signed-in user (the plugin asks for a session), then used by the shop.
const signedIn = await auth.api.signInEmail({
  body: { email: benchEmail(0), password: benchPassword(0) },
  asResponse: true,
});
const sessionCookie = signedIn.headers
  .getSetCookie()
  .map((c) => c.split(';')[0])
  .join('; ');
const client = await auth.api.adminCreateOAuthClient({
  headers: new Headers({ cookie: sessionCookie }),
  body: {
    client_name: 'Bench shop',
    redirect_uris: [redirectUri],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    skip_consent: true,
  },
});

/** The query a shop sends to the authorize endpoint (what the sign-in flow sends too). */
const authorizeQuery = (extra = {}) =>
  new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope: SCOPE,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'bench-state',
    ...extra,
  });

/** Codes as the plugin's authorize endpoint issues them to a signed-in browser, asked in-process. */
async function mintCodes() {
  const cookie = sessionCookie;
  const codes = [];
  for (let i = 0; i < count; i += 1) {
    const res = await auth.handler(
      new Request(`${base}/api/auth/oauth2/authorize?${authorizeQuery()}`, {
        headers: { cookie, accept: 'text/html' },
      }),
    );
    const location = res.headers.get('location') ?? (await res.json().catch(() => ({}))).url;
    const code = location ? new URL(location).searchParams.get('code') : null;
    if (!code) throw new Error(`better-auth-oidc: authorize answered ${res.status} without a code`);
    codes.push(code);
  }
  return codes;
}

const codes = await mintCodes();
writeFileSync(
  env('BENCH_CODES_FILE'),
  JSON.stringify({
    clientId: client.client_id,
    clientSecret: client.client_secret,
    codes,
    endpoints: {
      authorize: `${base}/api/auth/oauth2/authorize`,
      token: `${base}/api/auth/oauth2/token`,
      userinfo: `${base}/api/auth/oauth2/userinfo`,
      introspection: `${base}/api/auth/oauth2/introspect`,
    },
    scope: SCOPE,
  }),
);

// The login page the plugin sends a browser to: a form that posts the password, and the signed query as
// oauth_query, to Better Auth's email sign-in (what oauthProviderClient() adds to that request).
const escape = (text) => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
const loginPage = (search) => `<!doctype html><html lang="en"><title>Sign in</title>
<form method="post" action="/api/auth/sign-in/email">
<input type="hidden" name="oauth_query" value="${escape(search)}">
<label>Email <input name="email" type="email"></label>
<label>Password <input name="password" type="password"></label>
<button>Sign in</button></form></html>`;

const handler = toNodeHandler(auth);
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/api/auth/')) return handler(req, res);
  if (req.method === 'GET' && req.url.startsWith('/sign-in')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    return res.end(loginPage(new URL(req.url, base).search.slice(1)));
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 30_000;
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
