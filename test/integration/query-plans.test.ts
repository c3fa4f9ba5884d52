import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { sessionCookieName } from '../../src/http/request-context.ts';
import { PasswordHasher } from '../../src/platform/password-hasher.ts';
import { SEED_PASSWORD, seededEmail, seededSessionToken, seedStore } from '../../src/services/operations/seed.ts';
import { startMamori, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';
import { postgresUnavailable, startCluster, type PgCluster } from '../support/postgres.ts';
import { checkedUndo, STORY_ENV } from '../support/story.ts';

const ACCOUNTS = Number(process.env.PLAN_TEST_ACCOUNTS ?? 20_000);
/** A table this large is read by index on a hot path, never from end to end. */
const LARGE = 5_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** Every plan auto_explain wrote after `offset`, with the statement it is for. */
function plansSince(logFile: string, offset: number): { query: string; plan: PlanNode }[] {
  const lines = readFileSync(logFile, 'utf8').slice(offset).split('\n');
  const plans: { query: string; plan: PlanNode }[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i]?.endsWith('plan:')) continue;
    const json: string[] = [];
    while (lines[i + 1]?.startsWith('\t')) json.push((lines[(i += 1)] ?? '').slice(1));
    const parsed = JSON.parse(json.join('\n')) as { 'Query Text': string; Plan: PlanNode };
    plans.push({ query: parsed['Query Text'], plan: parsed.Plan });
  }
  return plans;
}

function sequentialScans(node: PlanNode): string[] {
  const here = node['Node Type'] === 'Seq Scan' && node['Relation Name'] ? [node['Relation Name']] : [];
  return [...here, ...(node.Plans ?? []).flatMap(sequentialScans)];
}

/**
 * Issue 16: on a seeded PostgreSQL (ACCOUNTS accounts, ten changes each, a session and a browser each),
 * the session check, a sign-in, its notice, the "This wasn't me" containment and the outbox deliveries run
 * with auto_explain logging every statement's plan; none may read a large table from end to end.
 */
describe('hot queries on a seeded PostgreSQL use indexes', { skip: postgresUnavailable ?? false }, () => {
  let cluster: PgCluster;
  let m: TestMamori;
  let large: Set<string>;

  before(async () => {
    cluster = await startCluster({ explainEveryQuery: true });
    const url = await cluster.newDatabaseUrl();
    // The store is this cluster's database (the name given only picks the default URL, which is replaced).
    m = await startMamori('sqlite', { ...STORY_ENV, MAMORI_DATABASE_URL: url });
    const passwordHash = await new PasswordHasher(m.config.argon2, 1).hash(SEED_PASSWORD);
    await seedStore(
      { db: m.deps.db, passwordHash, now: m.clock.now() },
      { accounts: ACCOUNTS, changes: ACCOUNTS * 10, batch: 2000 },
    );
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('ANALYZE');
    // From here on every statement's plan is logged (seeding is not what is being checked).
    await admin.query('ALTER SYSTEM SET auto_explain.log_min_duration = 0');
    await admin.query('SELECT pg_reload_conf()');
    const sizes = await admin.query<{ relname: string }>(
      `SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND reltuples > $1`,
      [LARGE],
    );
    await admin.end();
    large = new Set(sizes.rows.map((r) => r.relname));
  });
  after(async () => {
    await m?.close();
    cluster?.stop();
  });

  test('session check, sign-in, notice, containment and delivery: no sequential scan of a large table', async () => {
    assert.ok(
      ['accounts', 'account_log', 'sessions', 'known_devices'].every((t) => large.has(t)),
      [...large].join(),
    );
    const offset = statSync(cluster.logFile).size;

    // The session check with a seeded session.
    const session = await m.app.inject({
      method: 'GET',
      url: '/api/session',
      cookies: { [sessionCookieName(m.config)]: seededSessionToken(4242) },
    });
    assert.equal(session.statusCode, 200, session.body);

    // A sign-in from a new browser (risk engine, throttles, the notice), then its delivery.
    const stranger = new TestClient(m.app, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' });
    await stranger.get('/sign-in');
    const signIn = await stranger.post('/sign-in', { email: seededEmail(777), password: SEED_PASSWORD });
    assert.equal(signIn.statusCode, 303, signIn.body.slice(0, 300));
    await m.deliver();

    // "This wasn't me" from that notice: the plan, the containment, and the mail it sends.
    const notice = m.mailer.to(seededEmail(777)).find((mail) => /New sign-in/.test(mail.subject));
    const link = notice?.text.match(/This wasn't me: (\S+)/)?.[1] ?? '';
    const owner = new TestClient(m.app);
    const page = await owner.get(pathOf(link));
    assert.equal(page.statusCode, 200);
    const contained = await owner.post('/report', { token: tokenOf(link), undo: checkedUndo(page.body) });
    assert.equal(contained.statusCode, 303);
    await m.deliver();
    assert.equal((await owner.get(String(contained.headers.location))).statusCode, 200);

    const plans = plansSince(cluster.logFile, offset);
    assert.ok(plans.length > 50, `auto_explain saw the work (${plans.length} plans)`);
    const scans = plans.flatMap(({ query, plan }) =>
      sequentialScans(plan)
        .filter((table) => large.has(table))
        .map((table) => `${table}: ${query.replace(/\s+/g, ' ').slice(0, 200)}`),
    );
    assert.deepEqual([...new Set(scans)], []);
  });
});
