// Issue 4 figure: risk evaluation in-process, p50/p99.
//   pure: evaluateRisk over varied signals (no I/O);
//   with the store: assessRisk on SQLite (device, places, failure windows, recent changes read, then scored),
//   against a primary-key read of the same account measured in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { evaluateRisk, type RiskSignals } from '../src/core/risk/evaluate.ts';
import { riskPolicy } from '../src/core/risk/policy.ts';
import { composeMamori } from '../src/runtime/compose.ts';
import { actorFrom, recordChange } from '../src/services/account-log/change-log.ts';
import { pointFor } from '../src/platform/geoip.ts';
import { assessRisk, countSignInFailure } from '../src/services/risk/assessment.ts';
import { findAccountById, insertAccount } from '../src/store/accounts.ts';
import { rememberDevice } from '../src/store/devices.ts';
import { rememberLocation } from '../src/store/risk.ts';
import { percentile } from './stats.ts';

const PURE_CALLS = 100_000;
const STORE_CALLS = 3_000;

function timed(calls: number, fn: (i: number) => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const started = performance.now();
    fn(i);
    out.push(performance.now() - started);
  }
  return out;
}

async function timedAsync(calls: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const started = performance.now();
    await fn(i);
    out.push(performance.now() - started);
  }
  return out;
}

export async function benchRiskEvaluation(): Promise<void> {
  const policy = riskPolicy({ challengeAt: 30, denyAt: 80 });
  const countries = ['JP', 'US', 'KR', 'DE', 'BR', 'GB'];
  const now = new Date();
  const signals = (i: number): RiskSignals => ({
    action: 'sign-in',
    now,
    device: (['known', 'new', 'first'] as const)[i % 3] ?? 'new',
    location: pointFor(countries[i % countries.length] ?? 'JP'),
    knownCountries: ['JP', 'KR'],
    lastSignIn: {
      at: new Date(now.getTime() - (i % 48) * 3_600_000),
      location: pointFor('JP') ?? { country: 'JP', lat: 36, lon: 138 },
    },
    failures: { account: i % 7, ip: i % 13, global: i % 400 },
    passwordBlocklisted: i % 11 === 0,
    accountCreatedAt: new Date(now.getTime() - (i % 3) * 86_400_000),
    recentSensitiveChanges: i % 4,
  });
  timed(10_000, (i) => evaluateRisk(signals(i), policy));
  const pure = timed(PURE_CALLS, (i) => evaluateRisk(signals(i), policy));

  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-risk-'));
  try {
    const config = loadConfig({
      MAMORI_DATABASE_URL: `sqlite:${join(dir, 'risk.sqlite')}`,
      MAMORI_LOG_LEVEL: 'silent',
      MAMORI_DEMO_ACCOUNT: 'false',
    });
    const m = await composeMamori(config, { workerIntervalMs: 0, log: pino({ level: 'silent' }) });
    const { deps } = m;
    const ids: string[] = [];
    const owner = { ip: '133.242.0.10', userAgent: 'Safari', sessionId: null, deviceId: 'owner-device', country: 'JP' };
    for (let n = 0; n < 200; n += 1) {
      const id = deps.random.id();
      ids.push(id);
      const at = new Date(now.getTime() - 40 * 86_400_000).toISOString();
      await insertAccount(deps.db, {
        id,
        email: `risk${n}@bench.example`,
        email_verified_at: at,
        password_hash: null,
        name: 'R',
        locale: 'en',
        status: 'active',
        created_at: at,
        updated_at: at,
      });
      for (let d = 0; d < 5; d += 1) await rememberDevice(deps.db, id, `device-${n}-${d}`, at);
      await rememberLocation(deps.db, id, 'JP', at);
      await rememberLocation(deps.db, id, 'KR', at);
      await deps.db.transaction().execute(async (trx) => {
        for (let c = 0; c < 50; c += 1)
          await recordChange(trx, deps, {
            accountId: id,
            kind: 'name-changed',
            actor: actorFrom(owner),
            before: { name: `a${c}` },
            after: { name: `b${c}` },
          });
      });
    }
    // A stuffing wave in the window: thousands of failures over many addresses and sources.
    for (let f = 0; f < 3_000; f += 1)
      await countSignInFailure(deps, `risk${f % 200}@bench.example`, { ip: `198.51.100.${f % 50}`, userAgent: 'x' });
    const accounts = await Promise.all(ids.map((id) => findAccountById(deps.db, id)));
    const origin = (i: number) => ({
      ip: `198.51.100.${i % 50}`,
      userAgent: 'Chrome',
      deviceId: i % 2 ? `device-${i % 200}-1` : 'stranger',
      country: countries[i % countries.length] ?? null,
    });
    await timedAsync(300, (i) => assessRisk(deps, accounts[i % 200]!, origin(i), { action: 'sign-in' }));
    const withStore = await timedAsync(STORE_CALLS, (i) =>
      assessRisk(deps, accounts[i % 200]!, origin(i), { action: 'sign-in' }),
    );
    const read = await timedAsync(STORE_CALLS, (i) => findAccountById(deps.db, ids[i % 200] ?? ''));
    await m.close();

    console.log('\nrisk evaluation (in-process)                  p50        p99     target');
    console.log(
      `  pure rules (${PURE_CALLS} calls)               ${(percentile(pure, 0.5) * 1000).toFixed(1).padStart(6)} µs ${(percentile(pure, 0.99) * 1000).toFixed(1).padStart(7)} µs   p99 <= 2 ms`,
    );
    console.log(
      `  signals from SQLite + rules (${STORE_CALLS})     ${percentile(withStore, 0.5).toFixed(3).padStart(6)} ms ${percentile(withStore, 0.99).toFixed(3).padStart(7)} ms   p99 <= 2 ms`,
    );
    console.log(
      `  baseline: one primary-key read              ${percentile(read, 0.5).toFixed(3).padStart(6)} ms ${percentile(read, 0.99).toFixed(3).padStart(7)} ms`,
    );
    console.log(
      `  ratio (risk with store / one read, p50)     ${(percentile(withStore, 0.5) / percentile(read, 0.5)).toFixed(1)}x`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchRiskEvaluation();
