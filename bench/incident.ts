// Issue 3 figures, in-process on SQLite files (no HTTP):
//   containment (plan + apply, one transaction) for an account with 1,000 prior changes and 50 attacker
//   changes, p50/p99, against a single-row update measured in the same run;
//   notice latency: change committed → SMTP server (127.0.0.1) accepted, at 100 changes/s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { smtpMailer } from '../src/delivery/mailer.ts';
import { MemoryMailer } from '../src/delivery/memory-mailer.ts';
import { composeMamori, type Mamori } from '../src/runtime/compose.ts';
import { actorFrom, recordChange } from '../src/services/account-log/change-log.ts';
import { issueLink } from '../src/services/notices/one-time-links.ts';
import { reportChange } from '../src/services/incidents/report.ts';
import { recordSensitiveChange } from '../src/services/notices/security-notice.ts';
import { insertAccount } from '../src/store/accounts.ts';
import { rememberDevice } from '../src/store/devices.ts';
import { insertAddress } from '../src/store/profile.ts';
import { insertSession } from '../src/store/sessions.ts';
import { smtpLatencyServer } from './smtp-latency.ts';
import { percentile } from './stats.ts';

const ITERATIONS = Number(process.env.CONTAIN_ITERATIONS ?? 60);
const PRIOR = 1000;
const ATTACKER_CHANGES = 50;

async function compose(dir: string, name: string, mailer = new MemoryMailer()): Promise<Mamori> {
  const config = loadConfig({
    MAMORI_DATABASE_URL: `sqlite:${join(dir, name)}`,
    MAMORI_LOG_LEVEL: 'silent',
    MAMORI_DEMO_ACCOUNT: 'false',
  });
  return composeMamori(config, { mailer, workerIntervalMs: 0, log: pino({ level: 'silent' }) });
}

/**
 * An account with `prior` owner changes, then an attacker session with `attackerChanges` changes; returns
 * the account and a report link token for the attacker's last change.
 */
export async function seedVictim(
  m: Mamori,
  n: number,
  { prior = PRIOR, attackerChanges = ATTACKER_CHANGES } = {},
): Promise<{ accountId: string; token: string }> {
  const { deps } = m;
  const now = () => deps.clock.now().toISOString();
  const accountId = deps.random.id();
  const owner = { ip: '198.51.100.7', userAgent: 'Safari', sessionId: `owner-${n}`, deviceId: `owner-device-${n}` };
  const attacker = {
    ip: '203.0.113.9',
    userAgent: 'Chrome',
    sessionId: deps.random.id(),
    deviceId: `attacker-device-${n}`,
  };
  let token = '';
  await deps.db.transaction().execute(async (trx) => {
    await insertAccount(trx, {
      id: accountId,
      email: `victim${n}@bench.example`,
      email_verified_at: now(),
      password_hash: null,
      name: 'V',
      locale: 'en',
      status: 'active',
      created_at: now(),
      updated_at: now(),
    });
    await rememberDevice(trx, accountId, owner.deviceId, '2000-01-01T00:00:00.000Z');
    for (let i = 0; i < prior; i += 1) {
      await recordChange(trx, deps, {
        accountId,
        kind: 'name-changed',
        actor: actorFrom(owner),
        before: { name: `n${i}` },
        after: { name: `n${i + 1}` },
      });
    }
    await insertSession(trx, {
      id: attacker.sessionId,
      token_hash: deps.random.token(),
      account_id: accountId,
      device_label: 'Chrome',
      user_agent: 'Chrome',
      ip: attacker.ip,
      area: null,
      created_at: now(),
      last_seen_at: now(),
      authenticated_at: now(),
      revoked_at: null,
      revoke_reason: null,
      device_id: attacker.deviceId,
      risk_decision: 'allow',
      amr: 'pwd',
    });
    let reported = '';
    for (let i = 0; i < attackerChanges; i += 1) {
      const addressId = deps.random.id();
      await insertAddress(trx, {
        id: addressId,
        account_id: accountId,
        recipient: 'x',
        postal_code: '100-0001',
        region: 'T',
        city: 'C',
        line1: `${i}`,
        line2: null,
        country: 'JP',
        created_at: now(),
      });
      const record = await recordChange(trx, deps, {
        accountId,
        kind: 'address-added',
        actor: actorFrom(attacker),
        subjectId: addressId,
        after: { city: 'C', postal_code: '100-0001' },
      });
      reported = record.id;
    }
    const link = await issueLink(trx, deps, {
      accountId,
      purpose: 'report-change',
      payload: { changeId: reported },
      keepOthers: true,
    });
    token = new URL(link).searchParams.get('token') ?? '';
  });
  // Seeding 1,050 entries leaves WAL pages to checkpoint; flush them so the timed operation (and the
  // baseline after it) pays only for its own writes.
  if (m.store.kind === 'sqlite') await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(deps.db);
  return { accountId, token };
}

export async function benchContainment(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-incident-'));
  const m = await compose(dir, 'contain.sqlite');
  try {
    const containMs: number[] = [];
    const updateMs: number[] = [];
    for (let n = 0; n < ITERATIONS; n += 1) {
      const { token } = await seedVictim(m, n);
      const started = performance.now();
      const opened = await reportChange(m.deps, token, new Set(), { ip: '198.51.100.7', userAgent: 'Safari' });
      containMs.push(performance.now() - started);
      if (opened.applied.length !== ATTACKER_CHANGES)
        throw new Error(`planned ${opened.applied.length} steps, expected ${ATTACKER_CHANGES}`);
      const u = performance.now();
      await m.deps.db
        .updateTable('accounts')
        .set({ updated_at: m.deps.clock.now().toISOString() })
        .where('email', '=', `victim${n}@bench.example`)
        .execute();
      updateMs.push(performance.now() - u);
    }
    // Select all steps too: the heavier case, every inversion applied.
    const fullMs: number[] = [];
    for (let n = ITERATIONS; n < ITERATIONS * 2; n += 1) {
      const { token } = await seedVictim(m, n);
      const ids = await m.deps.db
        .selectFrom('account_log')
        .select('id')
        .where('kind', '=', 'address-added')
        .where('actor_device_id', '=', `attacker-device-${n}`)
        .execute();
      const started = performance.now();
      await reportChange(m.deps, token, new Set(ids.map((r) => r.id)), { ip: '198.51.100.7', userAgent: 'Safari' });
      fullMs.push(performance.now() - started);
    }
    console.log(
      `\ncontainment, ${PRIOR} prior + ${ATTACKER_CHANGES} attacker changes, ${ITERATIONS} accounts each (SQLite)`,
    );
    console.log(
      `  plan + contain, nothing ticked        p50 ${percentile(containMs, 0.5).toFixed(1)} ms  p99 ${percentile(containMs, 0.99).toFixed(1)} ms`,
    );
    console.log(
      `  plan + contain + undo all 50          p50 ${percentile(fullMs, 0.5).toFixed(1)} ms  p99 ${percentile(fullMs, 0.99).toFixed(1)} ms   (target p99 <= 50 ms)`,
    );
    console.log(
      `  baseline single-row update            p50 ${percentile(updateMs, 0.5).toFixed(2)} ms  p99 ${percentile(updateMs, 0.99).toFixed(2)} ms`,
    );
    console.log(
      `  ratio p50 (containment with undo / single-row update)  ${(percentile(fullMs, 0.5) / percentile(updateMs, 0.5)).toFixed(0)}x`,
    );
  } finally {
    await m.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchNoticeLatency(): Promise<void> {
  const RATE = Number(process.env.NOTICE_RATE ?? 100);
  const SECONDS = Number(process.env.NOTICE_SECONDS ?? 5);
  const smtp = await smtpLatencyServer();
  const { committedAt, latencies, port } = smtp;
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-notice-'));
  const config = loadConfig({
    MAMORI_DATABASE_URL: `sqlite:${join(dir, 'notice.sqlite')}`,
    MAMORI_LOG_LEVEL: 'silent',
    MAMORI_DEMO_ACCOUNT: 'false',
    MAMORI_SMTP_URL: `smtp://127.0.0.1:${port}`,
  });
  const m = await composeMamori(config, {
    mailer: smtpMailer(
      `smtp://127.0.0.1:${port}?pool=true&maxConnections=5`,
      'bench <b@bench.example>',
      'http://localhost',
    ),
    log: pino({ level: 'silent' }),
    workerIntervalMs: 1000,
  });
  try {
    const { deps } = m;
    const accountId = deps.random.id();
    const now = deps.clock.now().toISOString();
    await insertAccount(deps.db, {
      id: accountId,
      email: 'notice@bench.example',
      email_verified_at: now,
      password_hash: null,
      name: 'N',
      locale: 'en',
      status: 'active',
      created_at: now,
      updated_at: now,
    });
    const total = RATE * SECONDS;
    const start = performance.now();
    for (let i = 0; i < total; i += 1) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await deps.db.transaction().execute(async (trx) => {
        await recordSensitiveChange(
          trx,
          deps,
          { id: accountId, email: 'notice@bench.example', locale: 'en' },
          {
            kind: 'phone-changed',
            actor: actorFrom({ ip: '127.0.0.1', userAgent: 'bench' }),
            before: { phone: `+81 90 0000 ${i}` },
            after: { phone: `+81 90 0000 ${i + 1}` },
          },
        );
      });
      const row = await deps.db
        .selectFrom('outbox')
        .select('id')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .where('status', '=', 'queued')
        .executeTakeFirst();
      if (row && !committedAt.has(row.id)) committedAt.set(row.id, performance.now());
      deps.mailQueued();
    }
    const deadline = performance.now() + 30_000;
    while (latencies.length < committedAt.size && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(`\nnotice latency, ${total} changes at ${RATE}/s, change committed → SMTP server accepted`);
    console.log(
      `  delivered ${latencies.length}/${committedAt.size}   p50 ${percentile(latencies, 0.5).toFixed(0)} ms  p99 ${percentile(latencies, 0.99).toFixed(0)} ms   (target p99 <= 1000 ms)`,
    );
  } finally {
    await m.close();
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
