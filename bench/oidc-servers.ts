// The two token endpoints the code-exchange figure compares, each in its own process (servers.ts):
// Mamori's provider (mounted in Fastify, Kysely adapter on a SQLite file, clients and keys from the store)
// and a bare oidc-provider on its own Koa server with an in-memory adapter, configured alike (same client
// metadata, ES256, claims in the ID token, refresh tokens rotated, PKCE required). Each mints the codes the
// run will exchange before it listens, and writes them with its client's credentials to BENCH_CODES_FILE.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { buildProvider } from '../src/http/oidc-provider.ts';
import { composeMamori } from '../src/runtime/compose.ts';
import { addClient } from '../src/services/oidc/clients.ts';
import { insertAccount } from '../src/store/accounts.ts';

export const BENCH_REDIRECT_URI = 'http://127.0.0.1:4399/callback';
export const BENCH_VERIFIER = 'bench-pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz';
const SCOPE = 'openid email profile';
const CLAIMS = { email: 'shopper@bench.example', email_verified: true, name: 'Bench Shopper', locale: 'ja' };

export interface MintedCodes {
  clientId: string;
  clientSecret: string;
  codes: string[];
}

const challenge = createHash('sha256').update(BENCH_VERIFIER).digest('base64url');

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
    });
    codes.push(await code.save());
  }
  return codes;
}

export async function serveMamoriProvider(port: number, databaseFile: string, count: number, file: string) {
  const config = loadConfig({
    MAMORI_DATABASE_URL: databaseFile.includes('://') ? databaseFile : `sqlite:${databaseFile}`,
    MAMORI_PUBLIC_URL: `http://127.0.0.1:${port}`,
    MAMORI_LOG_LEVEL: 'silent',
    MAMORI_DEMO_ACCOUNT: 'false',
  });
  const mamori = await composeMamori(config, { workerIntervalMs: 0, log: pino({ level: 'silent' }) });
  const { deps } = mamori;
  const accountId = deps.random.id();
  const now = new Date().toISOString();
  await insertAccount(deps.db, {
    id: accountId,
    email: CLAIMS.email,
    email_verified_at: now,
    password_hash: null,
    name: CLAIMS.name,
    locale: CLAIMS.locale,
    status: 'active',
    created_at: now,
    updated_at: now,
  });
  const { client, clientSecret } = await addClient(deps, {
    name: 'Bench shop',
    redirectUris: [BENCH_REDIRECT_URI],
    firstParty: true,
  });
  // A second provider over the same store mints what the app's provider will redeem.
  const codes = await mintCodes(await buildProvider(deps), client.clientId, accountId, count);
  writeFileSync(file, JSON.stringify({ clientId: client.clientId, clientSecret, codes } satisfies MintedCodes));
  await mamori.app.listen({ host: '127.0.0.1', port });
}

/** oidc-provider's own memory adapter is an LRU of 1,000 entries; the bench needs every minted code kept. */
class MapAdapter implements Adapter {
  static readonly rows = new Map<string, AdapterPayload>();
  constructor(private readonly kind: string) {}
  private key(id: string) {
    return `${this.kind}:${id}`;
  }
  async upsert(id: string, payload: AdapterPayload): Promise<void> {
    MapAdapter.rows.set(this.key(id), payload);
  }
  async find(id: string): Promise<AdapterPayload | undefined> {
    return MapAdapter.rows.get(this.key(id));
  }
  async findByUid(): Promise<undefined> {
    return undefined;
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

export async function serveBareProvider(port: number, count: number, file: string) {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const clientId = 'bench-shop';
  const clientSecret = randomBytes(32).toString('base64url');
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    adapter: MapAdapter,
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
    routes: { token: '/oidc/token' },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 14 * 86400, Grant: 14 * 86400 },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'locale'] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    features: { devInteractions: { enabled: false }, revocation: { enabled: true }, introspection: { enabled: true } },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, ...CLAIMS }) }),
  });
  const codes = await mintCodes(provider, clientId, 'bench-account', count);
  writeFileSync(file, JSON.stringify({ clientId, clientSecret, codes } satisfies MintedCodes));
  const server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}
