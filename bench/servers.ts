// One server per process, so each has its own event loop: `mamori` (the real app, SQLite file, real
// clock) or `baseline`: bare Fastify returning the same JSON as GET /api/session, and the least a
// password sign-in can be over HTTP (a form post, one argon2id verify, a cookie and a redirect);
// `oidc-mamori` and `oidc-bare`: the OpenID Providers of the OIDC figures (oidc-servers.ts).
import { randomBytes } from 'node:crypto';
import Database, { type Statement } from 'better-sqlite3';
import Fastify from 'fastify';
import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { composeMamori } from '../src/runtime/compose.ts';
import { insertAccount } from '../src/store/accounts.ts';
import { rememberDevice } from '../src/store/devices.ts';
import { rememberLocation } from '../src/store/risk.ts';
import { hashToken, looksLikeToken } from '../src/platform/token-hash.ts';
import { securityHeadersFor, setHeaders } from '../src/http/security-headers.ts';
import {
  BENCH_ARGON2,
  benchEmail,
  benchOwnerDevice,
  benchPassword,
  isBenchPassword,
  verifyWithoutHash,
  withoutHash,
} from './fixtures.ts';
import { answerProfileRequests } from './profiled.ts';

type LimitRow = {
  id: string;
  account_id: string;
  authenticated_at: string;
  last_seen_at: string;
  created_at: string;
  revoked_at: string | null;
  email: string;
  name: string;
  locale: string;
  status: string;
  irreversible_hold_until: string | null;
};

const role = process.argv[2];
const port = Number(process.argv[3]);
const users = Number(process.env.BENCH_USERS ?? 200);
answerProfileRequests();

if (role === 'baseline') {
  const app = Fastify();
  const body = {
    session: {
      id: '6f1c1d7e-0000-4000-8000-000000000000',
      authenticatedAt: '2026-03-02T05:46:00.000Z',
      privileged: true,
      challenged: false,
    },
    account: {
      id: '7a2b3c4d-0000-4000-8000-000000000000',
      email: 'user0@bench.example',
      name: 'Bench User',
      locale: 'en',
    },
    holds: { irreversibleActionsUntil: null },
  };
  app.get('/baseline', async () => body);
  // The physical limit of a session check: the same indexed read (the session joined to its account,
  // by the token's SHA-256) with better-sqlite3 straight, the same expiry checks and the same headers
  // and JSON, without Mamori's framework around it. Opened on first use: Mamori's process makes the file.
  const limitDb = process.env.BENCH_LIMIT_DB;
  if (limitDb) {
    const defaults = loadConfig({});
    const headers = securityHeadersFor(defaults);
    let lookup: Statement<[string], LimitRow> | null = null;
    app.get('/baseline/session-limit', async (request, reply) => {
      lookup ??= new Database(limitDb, { readonly: true, fileMustExist: true }).prepare<[string], LimitRow>(
        `SELECT s.id, s.account_id, s.authenticated_at, s.last_seen_at, s.created_at, s.revoked_at,
                a.email, a.name, a.locale, a.status, a.irreversible_hold_until
           FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ?`,
      );
      setHeaders(reply.raw, headers);
      reply.header('cache-control', 'no-store');
      const token = /(?:^|;\s*)mamori_session=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
      const row = looksLikeToken(token) ? lookup.get(hashToken(token)) : undefined;
      const now = Date.now();
      const live =
        row &&
        row.status === 'active' &&
        row.revoked_at === null &&
        now - Date.parse(row.last_seen_at) < defaults.session.idleMs &&
        now - Date.parse(row.created_at) < defaults.session.absoluteMs;
      if (!live) return reply.code(401).send({ error: { code: 'UNAUTHENTICATED', message: 'No valid session' } });
      const hold = row.irreversible_hold_until;
      return {
        session: {
          id: row.id,
          authenticatedAt: new Date(row.authenticated_at).toISOString(),
          privileged: now - Date.parse(row.authenticated_at) < defaults.session.privilegedMs,
          challenged: false,
        },
        account: { id: row.account_id, email: row.email, name: row.name, locale: row.locale },
        holds: { irreversibleActionsUntil: hold && hold > new Date(now).toISOString() ? hold : null },
      };
    });
  }
  const defaults = loadConfig({});
  // As many hashes at once as Mamori runs (MAMORI_HASH_CONCURRENCY), so the comparison is HTTP and Mamori only.
  const inTurn = pLimit(defaults.hashConcurrency);
  const hashes = new Map(
    await Promise.all(
      Array.from(
        { length: users },
        async (_, i) => [benchEmail(i), await hash(benchPassword(i), BENCH_ARGON2)] as const,
      ),
    ),
  );
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, form, done) => {
    done(null, Object.fromEntries(new URLSearchParams(form as string)));
  });
  app.post('/baseline/sign-in', async (request, reply) => {
    const form = request.body as Record<string, string | undefined>;
    const stored = hashes.get(form.email ?? '');
    const password = form.password ?? '';
    const check = (hash: string) => (withoutHash ? isBenchPassword(password) : inTurn(() => verify(hash, password)));
    if (!stored || !(await check(stored))) return reply.code(401).send();
    reply.header('set-cookie', `session=${randomBytes(32).toString('base64url')}; Path=/; HttpOnly; SameSite=Lax`);
    return reply.redirect('/account', 303);
  });
  await app.listen({ host: '127.0.0.1', port });
  process.send?.({ ready: true });
} else if (role === 'mamori') {
  const config = loadConfig({
    // A file name (SQLite), or a database URL (the scale bench's PostgreSQL).
    MAMORI_DATABASE_URL: String(process.env.BENCH_DB).includes('://')
      ? String(process.env.BENCH_DB)
      : `sqlite:${process.env.BENCH_DB}`,
    MAMORI_PORT: String(port),
    MAMORI_LOG_LEVEL: 'silent',
    MAMORI_SIGN_IN_LIMIT_PER_MINUTE: '1000000',
    MAMORI_DEMO_ACCOUNT: 'false',
    // The enumeration and stuffing runs send X-Forwarded-For, as traffic behind the shop's proxy would.
    MAMORI_TRUST_PROXY: process.env.BENCH_TRUST_PROXY ?? 'false',
    ...(process.env.BENCH_HASH_CONCURRENCY ? { MAMORI_HASH_CONCURRENCY: process.env.BENCH_HASH_CONCURRENCY } : {}),
  });
  const mamori = await composeMamori(config, { log: pino({ level: 'silent' }) });
  const now = new Date().toISOString();
  const monthAgo = new Date(Date.now() - 30 * 24 * 3_600_000).toISOString();
  const existing = await mamori.deps.db.selectFrom('accounts').select('id').executeTakeFirst();
  if (!existing) {
    const hashes = await Promise.all(
      Array.from({ length: users }, (_, i) => mamori.deps.hasher.hash(benchPassword(i))),
    );
    for (let i = 0; i < users; i += 1) {
      const id = mamori.deps.random.id();
      await insertAccount(mamori.deps.db, {
        id,
        email: benchEmail(i),
        email_verified_at: now,
        password_hash: hashes[i] ?? null,
        name: 'Bench User',
        locale: 'en',
        status: 'active',
        created_at: process.env.BENCH_OWNERS ? monthAgo : now,
        updated_at: now,
      });
      // The stuffing run's owners: a browser they have used for a month, at home in Japan.
      if (process.env.BENCH_OWNERS) {
        await rememberDevice(mamori.deps.db, id, hashToken(benchOwnerDevice(i)), monthAgo);
        await rememberLocation(mamori.deps.db, id, 'JP', monthAgo);
      }
    }
  }
  if (withoutHash) mamori.deps.hasher.verify = verifyWithoutHash;
  await mamori.app.listen({ host: '127.0.0.1', port });
  process.send?.({ ready: true });
} else if (role === 'oidc-mamori' || role === 'oidc-bare') {
  const { serveBareProvider, serveMamoriProvider } = await import('./oidc-servers.ts');
  const count = Number(process.env.BENCH_CODES);
  const file = String(process.env.BENCH_CODES_FILE);
  if (role === 'oidc-mamori') await serveMamoriProvider(port, String(process.env.BENCH_DB), count, file);
  // With BENCH_DB, the bare provider keeps its artefacts in that SQLite file; without it, in a Map.
  else await serveBareProvider(port, count, file, process.env.BENCH_DB);
  process.send?.({ ready: true });
} else {
  throw new Error(`unknown role ${role}`);
}
