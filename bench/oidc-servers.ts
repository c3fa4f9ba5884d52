// The OpenID Providers the OIDC figures compare, each in its own process (servers.ts): Mamori's provider
// (the real app, Kysely on a SQLite file, clients and keys from the store, its own sign-in) and a bare
// oidc-provider on its own node:http server, on an in-memory Map or on a plain durable SQLite adapter
// (oidc-sqlite-adapter.ts), configured alike (same client metadata, ES256, claims in the ID token,
// refresh tokens rotated, PKCE required). The bare one signs a shopper in with the least there is: a form
// on its interaction page, one argon2id verify with Mamori's parameters, the grant for the shop, done.
// Each seeds BENCH_USERS shoppers, mints the codes the run will exchange before it listens, and writes
// them with its client's credentials and its endpoints to BENCH_CODES_FILE.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { hash, verify } from '@node-rs/argon2';
import Database from 'better-sqlite3';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { buildProvider } from '../src/http/oidc-provider.ts';
import { composeMamori } from '../src/runtime/compose.ts';
import { addClient } from '../src/services/oidc/clients.ts';
import { insertAccount } from '../src/store/accounts.ts';
import { rememberDevice } from '../src/store/devices.ts';
import { rememberLocation } from '../src/store/risk.ts';
import { hashToken } from '../src/platform/token-hash.ts';
import {
  BENCH_ARGON2,
  benchEmail,
  benchOwnerDevice,
  benchPassword,
  isBenchPassword,
  verifyWithoutHash,
  withoutHash,
} from './fixtures.ts';
import { sqliteAdapter } from './oidc-sqlite-adapter.ts';

export const BENCH_REDIRECT_URI = 'http://127.0.0.1:4399/callback';
export const BENCH_VERIFIER = 'bench-pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz';
const SCOPE = 'openid email profile';
const CLAIMS = { email: 'shopper@bench.example', email_verified: true, name: 'Bench Shopper', locale: 'ja' };

export interface MintedCodes {
  clientId: string;
  clientSecret: string;
  codes: string[];
  /** Where a shop sends the browser and its own requests. */
  endpoints: { authorize: string; token: string; userinfo: string; introspection: string };
  /** The scope the shop asks for. */
  scope: string;
  /** A cookie the shopper's own browser carries (Mamori's device cookie: a returning shopper's browser). */
  deviceCookie?: string;
}

const challenge = createHash('sha256').update(BENCH_VERIFIER).digest('base64url');
const users = () => Number(process.env.BENCH_USERS ?? 50);

/** Codes as the authorization endpoint would have issued them after a sign-in, all under one grant. */
async function mintCodes(provider: Provider, clientId: string, accountId: string, count: number): Promise<string[]> {
  const client = await provider.Client.find(clientId);
  if (!client) throw new Error('bench client missing');
  const grant = new provider.Grant({ accountId, clientId });
  grant.addOIDCScope(SCOPE);
  const grantId = await grant.save();
  const codes: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const code = new provider.AuthorizationCode({
      accountId,
      client,
      grantId,
      scope: SCOPE,
      redirectUri: BENCH_REDIRECT_URI,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      authTime: Math.floor(Date.now() / 1000),
      acr: 'http://idmanagement.gov/ns/assurance/aal/1',
      amr: ['pwd'],
      sessionUid: 'bench-session',
      sid: 'bench-sid',
      gty: 'authorization_code',
      // An hour rather than the configured minute: the last round redeems them minutes after they were minted.
      expiresIn: 3600,
    });
    codes.push(await code.save());
  }
  return codes;
}

const endpointsOf = (base: string) => ({
  authorize: `${base}/oidc/auth`,
  token: `${base}/oidc/token`,
  userinfo: `${base}/oidc/me`,
  introspection: `${base}/oidc/token/introspection`,
});

/** Mamori's shoppers: each with a browser they have used for a month, at home in Japan (no second step). */
async function seedMamoriShoppers(deps: Awaited<ReturnType<typeof composeMamori>>['deps']): Promise<string> {
  const now = new Date().toISOString();
  const monthAgo = new Date(Date.now() - 30 * 24 * 3_600_000).toISOString();
  const hashes = await Promise.all(Array.from({ length: users() }, (_, i) => deps.hasher.hash(benchPassword(i))));
  const ids: string[] = [];
  for (let i = 0; i < users(); i += 1) {
    const id = deps.random.id();
    ids.push(id);
    await insertAccount(deps.db, {
      id,
      email: benchEmail(i),
      email_verified_at: now,
      password_hash: hashes[i] ?? null,
      name: CLAIMS.name,
      locale: CLAIMS.locale,
      status: 'active',
      created_at: monthAgo,
      updated_at: now,
    });
    await rememberDevice(deps.db, id, hashToken(benchOwnerDevice(i)), monthAgo);
    await rememberLocation(deps.db, id, 'JP', monthAgo);
  }
  return ids[0] ?? '';
}

export async function serveMamoriProvider(port: number, databaseFile: string, count: number, file: string) {
  const base = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    MAMORI_DATABASE_URL: databaseFile.includes('://') ? databaseFile : `sqlite:${databaseFile}`,
    MAMORI_PUBLIC_URL: base,
    MAMORI_LOG_LEVEL: 'silent',
    MAMORI_DEMO_ACCOUNT: 'false',
    MAMORI_SIGN_IN_LIMIT_PER_MINUTE: '1000000',
  });
  const mamori = await composeMamori(config, { workerIntervalMs: 0, log: pino({ level: 'silent' }) });
  if (withoutHash) mamori.deps.hasher.verify = verifyWithoutHash;
  const { deps } = mamori;
  const accountId = await seedMamoriShoppers(deps);
  const { client, clientSecret } = await addClient(deps, {
    name: 'Bench shop',
    redirectUris: [BENCH_REDIRECT_URI],
    firstParty: true,
  });
  // A second provider over the same store mints what the app's provider will redeem.
  const codes = await mintCodes(await buildProvider(deps), client.clientId, accountId, count);
  const minted: MintedCodes = {
    clientId: client.clientId,
    clientSecret,
    codes,
    endpoints: endpointsOf(base),
    scope: SCOPE,
    deviceCookie: 'mamori_device',
  };
  writeFileSync(file, JSON.stringify(minted));
  await mamori.app.listen({ host: '127.0.0.1', port });
}

/** oidc-provider's own memory adapter is an LRU of 1,000 entries; the bench needs every minted code kept. */
class MapAdapter implements Adapter {
  static readonly rows = new Map<string, AdapterPayload>();
  static readonly uids = new Map<string, string>();
  constructor(private readonly kind: string) {}
  private key(id: string) {
    return `${this.kind}:${id}`;
  }
  async upsert(id: string, payload: AdapterPayload): Promise<void> {
    MapAdapter.rows.set(this.key(id), payload);
    if (payload.uid) MapAdapter.uids.set(this.key(payload.uid), id);
  }
  async find(id: string): Promise<AdapterPayload | undefined> {
    return MapAdapter.rows.get(this.key(id));
  }
  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = MapAdapter.uids.get(this.key(uid));
    return id === undefined ? undefined : MapAdapter.rows.get(this.key(id));
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async consume(id: string): Promise<void> {
    const row = MapAdapter.rows.get(this.key(id));
    if (row) row.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string): Promise<void> {
    MapAdapter.rows.delete(this.key(id));
  }
  async revokeByGrantId(): Promise<void> {}
}

type Shoppers = { find(email: string): { id: string; hash: string } | undefined };

/** The bare providers' shoppers: a Map in memory, or a table in the durable provider's SQLite file. */
async function seedBareShoppers(databaseFile: string | undefined): Promise<Shoppers> {
  const rows = await Promise.all(
    Array.from({ length: users() }, async (_, i) => ({
      id: `shopper-${i}`,
      email: benchEmail(i),
      hash: await hash(benchPassword(i), BENCH_ARGON2),
    })),
  );
  if (!databaseFile) {
    const byEmail = new Map(rows.map((row) => [row.email, row]));
    return { find: (email) => byEmail.get(email) };
  }
  const db = new Database(databaseFile);
  db.exec('CREATE TABLE IF NOT EXISTS shoppers (id TEXT PRIMARY KEY, email TEXT UNIQUE NOT NULL, hash TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO shoppers (id, email, hash) VALUES (?, ?, ?)');
  for (const row of rows) insert.run(row.id, row.email, row.hash);
  const byEmail = db.prepare<[string], { id: string; hash: string }>('SELECT id, hash FROM shoppers WHERE email = ?');
  return { find: (email) => byEmail.get(email) };
}

const readBody = async (req: IncomingMessage) => {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return new URLSearchParams(text);
};

const signInForm = (uid: string) => `<!doctype html><html lang="en"><title>Sign in</title>
<form method="post" action="/interaction/${uid}/login">
<label>Email <input name="email" type="email"></label>
<label>Password <input name="password" type="password"></label>
<button>Sign in</button></form></html>`;

/** The interaction: the form, then one verify, the shop's grant (a first-party shop asks no consent), done. */
function interactions(provider: Provider, shoppers: Shoppers) {
  return async (req: IncomingMessage, res: ServerResponse, uid: string, login: boolean) => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return res.writeHead(400).end();
    if (req.method === 'GET' && !login)
      return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(signInForm(uid));
    if (req.method !== 'POST' || !login) return res.writeHead(405).end();
    const form = await readBody(req);
    const shopper = shoppers.find(form.get('email') ?? '');
    const password = form.get('password') ?? '';
    const check = (hash: string) => (withoutHash ? isBenchPassword(password) : verify(hash, password));
    if (!shopper || !(await check(shopper.hash))) return res.writeHead(401).end();
    const grant = new provider.Grant({ accountId: shopper.id, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: shopper.id }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  };
}

/** `databaseFile`: the durable provider's SQLite file; without it, the provider keeps everything in a Map. */
export async function serveBareProvider(port: number, count: number, file: string, databaseFile?: string) {
  const base = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const clientId = 'bench-shop';
  const clientSecret = randomBytes(32).toString('base64url');
  const shoppers = await seedBareShoppers(databaseFile);
  const provider = new Provider(base, {
    adapter: databaseFile ? sqliteAdapter(databaseFile) : MapAdapter,
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        client_name: 'Bench shop',
        redirect_uris: [BENCH_REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    routes: {
      authorization: '/oidc/auth',
      token: '/oidc/token',
      userinfo: '/oidc/me',
      introspection: '/oidc/token/introspection',
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * 86400,
      Session: 14 * 86400,
      Grant: 14 * 86400,
    },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'locale'] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
    },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, ...CLAIMS }) }),
  });
  const codes = await mintCodes(provider, clientId, 'shopper-0', count);
  const minted: MintedCodes = { clientId, clientSecret, codes, endpoints: endpointsOf(base), scope: SCOPE };
  writeFileSync(file, JSON.stringify(minted));
  const callback = provider.callback();
  const interaction = interactions(provider, shoppers);
  const server = createServer((req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (!match) return callback(req, res);
    interaction(req, res, match[1] ?? '', Boolean(match[2])).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(400).end(error.message);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}
