// `npm run bench:scale`: does a large shop's data slow the hot paths? On PostgreSQL (a throw-away cluster
// with its durable defaults), for each size (BENCH_SCALE_SIZES, default 1,000 and 1,000,000 accounts, with
// BENCH_SCALE_CHANGES_PER_ACCOUNT change records each, default 10), in a database of its own:
//   - seed it (`mamori seed`'s service, progress shown, rows/s);
//   - session check p99: SESSION_CHECKS GETs of /api/session, 10 in flight, against Mamori in its own
//     process, each with the cookie of one of WORKING_SET seeded accounts picked at random across the whole
//     store: the same number of sessions (and so of first-use touches) at every size, spread over its index;
//   - sign-in p99: SIGN_INS correct-password sign-ins of random seeded accounts from their own browsers;
//   - containment p99: CONTAINMENTS "This wasn't me" reports (1,000 prior + 50 attacker changes, all undone);
//   - notice latency p99: 100 changes/s for 3 s on random seeded accounts, commit → SMTP server accepted.
// Then the 1M figures against the 1k ones (target: within 1.2x) and containment p99 (target <= 50 ms).
// Bounded by counts and a hard stop.
import { Agent, request } from 'node:http';
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { smtpMailer } from '../src/delivery/mailer.ts';
import { MemoryMailer } from '../src/delivery/memory-mailer.ts';
import { composeMamori, type Mamori } from '../src/runtime/compose.ts';
import { actorFrom } from '../src/services/account-log/change-log.ts';
import { reportChange } from '../src/services/incidents/report.ts';
import { recordSensitiveChange } from '../src/services/notices/security-notice.ts';
import {
  SEED_PASSWORD,
  seedStore,
  seededAccountId,
  seededDeviceCookie,
  seededEmail,
  seededSessionToken,
} from '../src/services/operations/seed.ts';
import { postgresUnavailable, startCluster } from '../test/support/postgres.ts';
import { seedVictim } from './incident.ts';
import { csrfPair, hardStop, startServer, stopServers } from './processes.ts';
import { smtpLatencyServer } from './smtp-latency.ts';
import { percentile } from './stats.ts';

const SIZES = (process.env.BENCH_SCALE_SIZES ?? '1000,1000000').split(',').map(Number);
const CHANGES_PER_ACCOUNT = Number(process.env.BENCH_SCALE_CHANGES_PER_ACCOUNT ?? 10);
const SESSION_CHECKS = Number(process.env.SESSION_CHECKS ?? 20_000);
const WORKING_SET = Number(process.env.WORKING_SET ?? 1000);
const SIGN_INS = Number(process.env.SIGN_INS ?? 200);
const CONTAINMENTS = Number(process.env.CONTAINMENTS ?? 40);
const NOTICE_RATE = 100;
const NOTICE_SECONDS = 3;
const PORT = Number(process.env.PORT ?? 4330);
hardStop(90 * 60_000, 'bench:scale');

type Figures = { sessionP99: number; signInP99: number; containP99: number; noticeP99: number };

/** `count` requests, `inFlight` at a time over kept-alive sockets; each request's latency in ms. */
async function timed(
  count: number,
  inFlight: number,
  send: (agent: Agent, n: number) => Promise<number>,
): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const n = next++;
        const started = performance.now();
        const status = await send(agent, n);
        latencies.push(performance.now() - started);
        if (status >= 400) throw new Error(`request ${n} answered ${status}`);
      }
    }),
  );
  agent.destroy();
  return latencies;
}

function call(
  agent: Agent,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: options.method ?? 'GET', headers: options.headers });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const random = (size: number) => Math.floor(Math.random() * size);

async function httpFigures(size: number, share = 1): Promise<Pick<Figures, 'sessionP99' | 'signInP99'>> {
  const base = `http://127.0.0.1:${PORT}`;
  const picked = new Set<number>();
  while (picked.size < Math.min(size, WORKING_SET)) picked.add(random(size));
  const workingSet = [...picked];
  const sessions = await timed(Math.ceil(SESSION_CHECKS * share), 10, (agent) =>
    call(agent, `${base}/api/session`, {
      headers: { cookie: `mamori_session=${seededSessionToken(workingSet[random(workingSet.length)] ?? 0)}` },
    }),
  );
  const signIns = await timed(Math.ceil(SIGN_INS * share), 4, async (agent) => {
    const who = random(size);
    const device = `mamori_device=${seededDeviceCookie(who)}`;
    const form = await csrfPair(base, { cookie: device });
    const status = await call(agent, `${base}/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${form.cookie}; ${device}` },
      body: new URLSearchParams({ _csrf: form.token, email: seededEmail(who), password: SEED_PASSWORD }).toString(),
    });
    if (status !== 303) throw new Error(`a seeded sign-in answered ${status}, not 303`);
    return status;
  });
  return { sessionP99: percentile(sessions, 0.99), signInP99: percentile(signIns, 0.99) };
}

async function containmentP99(m: Mamori, size: number): Promise<number> {
  const times: number[] = [];
  const warmup = Math.ceil(CONTAINMENTS / 5);
  for (let n = 0; n < warmup + CONTAINMENTS; n += 1) {
    const { token } = await seedVictim(m, size * 10 + n);
    const attackerChanges = await m.deps.db
      .selectFrom('account_log')
      .select('id')
      .where('kind', '=', 'address-added')
      .where('actor_device_id', '=', `attacker-device-${size * 10 + n}`)
      .execute();
    const started = performance.now();
    await reportChange(m.deps, token, new Set(attackerChanges.map((row) => row.id)), {
      ip: '198.51.100.7',
      userAgent: 'Safari',
    });
    if (n >= warmup) times.push(performance.now() - started);
  }
  return percentile(times, 0.99);
}

async function noticeP99(databaseUrl: string, size: number): Promise<number> {
  const smtp = await smtpLatencyServer();
  const { committedAt, latencies, port } = smtp;
  const m = await composeMamori(
    loadConfig({ MAMORI_DATABASE_URL: databaseUrl, MAMORI_LOG_LEVEL: 'silent', MAMORI_DEMO_ACCOUNT: 'false' }),
    {
      mailer: smtpMailer(`smtp://127.0.0.1:${port}`, 'bench <b@bench.example>', 'http://localhost'),
      log: pino({ level: 'silent' }),
      workerIntervalMs: 1000,
    },
  );
  try {
    const { deps } = m;
    const total = NOTICE_RATE * NOTICE_SECONDS;
    const start = performance.now();
    for (let i = 0; i < total; i += 1) {
      const wait = start + (i * 1000) / NOTICE_RATE - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const who = random(size);
      const outboxId = await deps.db.transaction().execute(async (trx) => {
        await recordSensitiveChange(
          trx,
          deps,
          { id: seededAccountId(who), email: seededEmail(who), locale: 'en' },
          {
            kind: 'phone-changed',
            actor: actorFrom({ ip: '127.0.0.1', userAgent: 'bench' }),
            before: { phone: `+81 90 0000 ${i}` },
            after: { phone: `+81 90 0000 ${i + 1}` },
          },
        );
        const queued = await trx
          .selectFrom('outbox')
          .select('id')
          .where('account_id', '=', seededAccountId(who))
          .where('status', '=', 'queued')
          .orderBy('created_at', 'desc')
          .executeTakeFirst();
        return queued?.id;
      });
      if (outboxId) committedAt.set(outboxId, performance.now());
      deps.mailQueued();
    }
    const deadline = performance.now() + 30_000;
    while (latencies.length < committedAt.size && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    if (latencies.length < committedAt.size)
      throw new Error(`${committedAt.size - latencies.length} notices never reached the SMTP server`);
    return percentile(latencies, 0.99);
  } finally {
    await m.close();
    await smtp.close();
  }
}

async function measure(cluster: Awaited<ReturnType<typeof startCluster>>, size: number): Promise<Figures> {
  const databaseUrl = await cluster.newDatabaseUrl();
  const m = await composeMamori(
    loadConfig({ MAMORI_DATABASE_URL: databaseUrl, MAMORI_LOG_LEVEL: 'silent', MAMORI_DEMO_ACCOUNT: 'false' }),
    { mailer: new MemoryMailer(), log: pino({ level: 'silent' }), workerIntervalMs: 0 },
  );
  try {
    console.log(
      `\n${size.toLocaleString('en')} accounts, ${(size * CHANGES_PER_ACCOUNT).toLocaleString('en')} changes`,
    );
    const started = performance.now();
    let shown = 0;
    await seedStore(
      { db: m.deps.db, passwordHash: await m.deps.hasher.hash(SEED_PASSWORD), now: new Date() },
      { accounts: size, changes: size * CHANGES_PER_ACCOUNT, batch: 1000 },
      (p) => {
        if (p.accounts - shown < size / 20 && p.accounts < size) return;
        shown = p.accounts;
        console.log(
          `  seeding ${((p.accounts / size) * 100).toFixed(0).padStart(3)}%  ${p.accounts.toLocaleString('en')} accounts · ${Math.round(p.rowsPerSecond).toLocaleString('en')} rows/s`,
        );
      },
    );
    // A store that grew over months is vacuumed (hint bits set, visibility map current) and analyzed, and its
    // bulk load is long checkpointed; a freshly loaded one would make its first reads write. So: as then.
    await sql`VACUUM (ANALYZE)`.execute(m.deps.db);
    await sql`CHECKPOINT`.execute(m.deps.db);
    console.log(`  seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    await startServer('mamori', PORT, { BENCH_DB: databaseUrl });
    // Every size starts from a cold process: a short round first, discarded, so the JIT is warm for both.
    await httpFigures(size, 0.1);
    const http = await httpFigures(size);
    stopServers();
    const containP99 = await containmentP99(m, size);
    const figures = { ...http, containP99, noticeP99: await noticeP99(databaseUrl, size) };
    console.log(
      `  session check p99 ${figures.sessionP99.toFixed(2)} ms · sign-in p99 ${figures.signInP99.toFixed(0)} ms · containment p99 ${figures.containP99.toFixed(1)} ms · notice p99 ${figures.noticeP99.toFixed(0)} ms`,
    );
    return figures;
  } finally {
    stopServers();
    await m.close();
  }
}

if (postgresUnavailable) {
  console.log(`bench:scale needs PostgreSQL: ${postgresUnavailable}`);
  process.exit(1);
}
const cluster = await startCluster({ durable: true });
try {
  // A fresh cluster is slow at first (WAL segments created, caches empty): whatever size ran first paid for
  // it. A run of the smallest size warms it, and its figures are thrown away.
  console.log('\nwarming the cluster (figures discarded)');
  await measure(cluster, Math.min(...SIZES));
  const results = new Map<number, Figures>();
  for (const size of SIZES) results.set(size, await measure(cluster, size));
  const [small, large] = [Math.min(...SIZES), Math.max(...SIZES)].map((size) => results.get(size) as Figures) as [
    Figures,
    Figures,
  ];
  console.log(
    `\nscale (PostgreSQL)                  ${Math.min(...SIZES)
      .toLocaleString('en')
      .padStart(9)}   ${Math.max(...SIZES)
      .toLocaleString('en')
      .padStart(9)}   ratio   target`,
  );
  const row = (name: string, a: number, b: number, digits: number, extra = '') =>
    console.log(
      `  ${name.padEnd(32)} ${a.toFixed(digits).padStart(7)} ms ${b.toFixed(digits).padStart(7)} ms   ${(b / a).toFixed(2)}   <= 1.2, ${b / a <= 1.2 ? 'met' : 'MISSED'}${extra}`,
    );
  row('session check p99', small.sessionP99, large.sessionP99, 2);
  row('sign-in p99', small.signInP99, large.signInP99, 0);
  row(
    'containment p99',
    small.containP99,
    large.containP99,
    1,
    `; p99 <= 50 ms, ${large.containP99 <= 50 ? 'met' : 'MISSED'}`,
  );
  row('notice latency p99', small.noticeP99, large.noticeP99, 0);
} finally {
  stopServers();
  cluster.stop();
}
process.exit(0);
