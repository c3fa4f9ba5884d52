// `npm run bench:profile`: where a session check's time goes, beside its limit (bare Fastify doing the same
// indexed read with better-sqlite3, the same checks, headers and JSON). Each server runs in its own process
// and profiles only the measured window (bench/profiled.ts), under the same load (autocannon, 10
// connections, PROFILE_SECONDS); the report gives each category's self time per request for both and
// the difference, i.e. what Mamori's session check spends beyond the limit and on what.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { CATEGORIES, IDLE, selfTimeByCategory } from './cpu-profile.ts';
import { childOf, hardStop, signInSetup, startServer, stopServers } from './processes.ts';

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 8);
const WARM_UP_SECONDS = 2;
const PORT = Number(process.env.PROFILE_PORT ?? 4390);
hardStop(5 * 60_000, 'bench:profile');

function load(url: string, cookie: string, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: 10, duration: seconds, headers: { cookie } }, (error, result) => {
      if (error) return reject(error);
      if (result.non2xx + result.errors + result.timeouts > 0) return reject(new Error(`${url}: failed responses`));
      resolve(result.requests.total);
    });
  });
}

/** Asks the server to profile while `url` is under load; its category totals (µs) and the requests answered. */
async function profiled(pid: number, url: string, cookie: string, file: string) {
  const child = childOf(pid);
  if (!child) throw new Error(`no bench server with pid ${pid}`);
  const answer = (key: string) =>
    new Promise<void>((resolve) => {
      const listener = (message: unknown) => {
        if (typeof message === 'object' && message !== null && key in message) {
          child.off('message', listener);
          resolve();
        }
      };
      child.on('message', listener);
    });
  await load(url, cookie, WARM_UP_SECONDS);
  const started = answer('profiling');
  child.send({ profile: 'start' });
  await started;
  const requests = await load(url, cookie, SECONDS);
  const stopped = answer('profiled');
  child.send({ profile: 'stop', file });
  await stopped;
  return { totals: selfTimeByCategory(file), requests };
}

const dir = mkdtempSync(join(tmpdir(), 'mamori-profile-'));
// PROFILE_DIR keeps both profiles (open them in Chrome DevTools' Performance panel).
const kept = process.env.PROFILE_DIR;
try {
  const database = join(dir, 'bench.sqlite');
  const env = { BENCH_USERS: '1', BENCH_PROFILE: '1' };
  const mamoriPid = await startServer('mamori', PORT, { ...env, BENCH_DB: database, BENCH_OWNERS: '1' });
  const limitPid = await startServer('baseline', PORT + 1, { ...env, BENCH_LIMIT_DB: database });
  const { session } = await signInSetup(`http://127.0.0.1:${PORT}`);
  const cookie = `mamori_session=${session}`;
  const ours = await profiled(
    mamoriPid,
    `http://127.0.0.1:${PORT}/api/session`,
    cookie,
    join(kept ?? dir, 'mamori.cpuprofile'),
  );
  const limit = await profiled(
    limitPid,
    `http://127.0.0.1:${PORT + 1}/baseline/session-limit`,
    cookie,
    join(kept ?? dir, 'limit.cpuprofile'),
  );
  const perRequest = (run: typeof ours, category: string) => (run.totals.get(category) ?? 0) / run.requests;
  const rows = [...CATEGORIES.map(([name]) => name), 'other'].filter((name) => name !== IDLE);
  const busy = (run: typeof ours) => rows.reduce((sum, name) => sum + perRequest(run, name), 0);
  const cell = (value: number) => value.toFixed(1).padStart(9);
  console.log(
    `\nsession check under profile: Mamori ${(ours.requests / SECONDS).toFixed(0)} req/s, ` +
      `limit ${(limit.requests / SECONDS).toFixed(0)} req/s (sampling slows both)`,
  );
  console.log(`\n${'self time per request, µs'.padEnd(48)}   Mamori    limit   beyond`);
  for (const name of rows) {
    const [a, b] = [perRequest(ours, name), perRequest(limit, name)];
    if (a < 0.05 && b < 0.05) continue;
    console.log(`  ${name.padEnd(46)}${cell(a)}${cell(b)}${cell(a - b)}`);
  }
  console.log(`  ${'busy, in all'.padEnd(46)}${cell(busy(ours))}${cell(busy(limit))}${cell(busy(ours) - busy(limit))}`);
  console.log(
    `  ${'idle (the event loop waiting)'.padEnd(46)}${cell(perRequest(ours, IDLE))}${cell(perRequest(limit, IDLE))}`,
  );
} finally {
  stopServers();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
