// `tsx bench/profile-sign-in.ts`: where the event loop's time of one password sign-in goes (POST /sign-in,
// the right password, rotating users, each from the browser they used before, as bench/run.ts measures it),
// beside the bare HTTP sign-in (bare Fastify: form post, one argon2id verify, cookie, redirect). Each server
// profiles only the measured window (bench/profiled.ts) under the same load (autocannon, 10 connections,
// PROFILE_SECONDS); the report gives self time per sign-in by category, the heaviest frames, and Mamori's
// own functions by time spent in them and below (inclusive). PROFILE_DIR keeps the .cpuprofile files.
// BENCH_NO_HASH=1 profiles the request path alone, with no argon2id in either server (fixtures.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { CATEGORIES, IDLE, selfTimeByCategory, topFrames } from './cpu-profile.ts';
import { ask, csrfPair, ownerSignInRequests, hardStop, startServer, stopServers } from './processes.ts';

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 8);
const WARM_UP_SECONDS = 3;
const PORT = Number(process.env.PROFILE_PORT ?? 4396);
const USERS = 200;
hardStop(5 * 60_000, 'sign-in profile');

function load(url: string, csrf: { cookie: string; token: string }, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const requests = ownerSignInRequests(csrf, USERS);
    autocannon({ url, method: 'POST', connections: 10, duration: seconds, requests }, (error, result) => {
      if (error) return reject(error);
      if (result.errors + result.timeouts > 0 || result.non2xx !== result['3xx'])
        return reject(new Error(`${url}: failed responses`));
      resolve(result.requests.total);
    });
  });
}

async function profiled(pid: number, url: string, csrf: { cookie: string; token: string }, file: string) {
  await load(url, csrf, WARM_UP_SECONDS);
  await ask(pid, { profile: 'start' }, 'profiling');
  const requests = await load(url, csrf, SECONDS);
  await ask(pid, { profile: 'stop', file }, 'profiled');
  return { totals: selfTimeByCategory(file), requests, file };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Time (µs) spent in each of Mamori's own functions and everything they called, each sample counted once per function. */
function inclusiveOwnFrames(file: string, count: number): [string, number][] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (let node = byId.get(id); node; node = byId.get(parentOf.get(node.id) ?? -1)) {
      const { url, functionName, lineNumber } = node.callFrame;
      if (!url.includes('/src/')) continue;
      const frame = `${functionName || '(anonymous)'} ${url.replace(/^.*\/src\//, 'src/')}:${lineNumber + 1}`;
      if (seen.has(frame)) continue;
      seen.add(frame);
      totals.set(frame, (totals.get(frame) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
  });
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, count);
}

const dir = mkdtempSync(join(tmpdir(), 'mamori-sign-in-profile-'));
const kept = process.env.PROFILE_DIR;
try {
  const env = { BENCH_USERS: String(USERS), BENCH_PROFILE: '1' };
  const mamoriPid = await startServer('mamori', PORT, {
    ...env,
    BENCH_DB: join(dir, 'bench.sqlite'),
    BENCH_OWNERS: '1',
  });
  const barePid = await startServer('baseline', PORT + 1, { ...env, BENCH_LIMIT_DB: join(dir, 'bench.sqlite') });
  const csrf = await csrfPair(`http://127.0.0.1:${PORT}`);
  const ours = await profiled(
    mamoriPid,
    `http://127.0.0.1:${PORT}/sign-in`,
    csrf,
    join(kept ?? dir, 'mamori.cpuprofile'),
  );
  const bare = await profiled(
    barePid,
    `http://127.0.0.1:${PORT + 1}/baseline/sign-in`,
    { cookie: '', token: '' },
    join(kept ?? dir, 'bare.cpuprofile'),
  );
  const perSignIn = (run: typeof ours, category: string) => (run.totals.get(category) ?? 0) / run.requests;
  const rows = [...CATEGORIES.map(([name]) => name), 'other'].filter((name) => name !== IDLE);
  const busy = (run: typeof ours) => rows.reduce((sum, name) => sum + perSignIn(run, name), 0);
  const cell = (value: number) => value.toFixed(0).padStart(9);
  console.log(
    `\npassword sign-in under profile: Mamori ${(ours.requests / SECONDS).toFixed(0)}/s, ` +
      `bare HTTP sign-in ${(bare.requests / SECONDS).toFixed(0)}/s (sampling slows both)`,
  );
  console.log(`\n${'self time per sign-in, µs'.padEnd(48)}   Mamori     bare   beyond`);
  for (const name of rows) {
    const [a, b] = [perSignIn(ours, name), perSignIn(bare, name)];
    if (a < 0.5 && b < 0.5) continue;
    console.log(`  ${name.padEnd(46)}${cell(a)}${cell(b)}${cell(a - b)}`);
  }
  console.log(`  ${'busy, in all'.padEnd(46)}${cell(busy(ours))}${cell(busy(bare))}${cell(busy(ours) - busy(bare))}`);
  console.log('\nheaviest frames, Mamori (self µs per sign-in):');
  for (const [frame, us] of topFrames(ours.file, 25))
    console.log(`  ${(us / ours.requests).toFixed(0).padStart(6)}  ${frame}`);
  console.log("\nMamori's own functions, inclusive µs per sign-in:");
  for (const [frame, us] of inclusiveOwnFrames(ours.file, 40))
    console.log(`  ${(us / ours.requests).toFixed(0).padStart(6)}  ${frame}`);
} finally {
  stopServers();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
