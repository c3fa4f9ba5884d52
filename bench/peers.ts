// `npm run bench:peers`: Mamori against Better Auth, the library a shop would pick instead, in the same run
// on the same machine, on the same work: the session check and a correct-password sign-in, each as a ratio
// to its bare baseline measured in that run (a bare Fastify route; a bare argon2id verify with the same
// parameters). Better Auth runs in its own harness (../shared/peers/better-auth, or PEER_BETTER_AUTH_DIR),
// copied to .bench-peers/ and installed there by this script (npm ci, once); Mamori in bench/run.ts with
// the hot paths only. Both use autocannon, 10 connections, 6 s x 7 rounds in alternating order.
// Then the OpenID Provider's own work (bench/oidc-peers.ts, issue 29): Mamori against Better Auth's OAuth
// provider plugin and two bare oidc-providers (SQLite, in memory); Better Auth's plugin comes from bench/peers/
// (its own package.json and lock file), installed in place by this script (npm ci, once, again when the
// lock file changes). BENCH_SHORT=1: every part in its short form, for a quick check.
// Bounded: each harness has its own hard stop, and this script one over all of them.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printOidcTable, type OidcResults } from './oidc-peers.ts';
import { preparePeersFolder } from './peers-folder.ts';
import { hardStop } from './processes.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = resolve(process.env.PEER_BETTER_AUTH_DIR ?? join(ROOT, '..', 'shared', 'peers', 'better-auth'));
const WORK = join(ROOT, '.bench-peers', 'better-auth');
const SHORT = process.env.BENCH_SHORT === '1';
const SAME_WORK: Record<string, string> = SHORT
  ? { DURATION: '3', ROUNDS: '2', WARMUP: '1', CONNECTIONS: '10', USERS: '200' }
  : // Seven paired rounds: on this kind of VM one round's ratio moves ±5–10% on unchanged code, and the
    // median of three could not tell 0.93 from 0.97 (docs/benchmark-notes.md, the ninth stop).
    { DURATION: '6', ROUNDS: '7', WARMUP: '2', CONNECTIONS: '10' };
hardStop(50 * 60_000, 'bench:peers');

type PeerResults = { ratios: Record<string, number>; agg: Record<string, { rps: number }> };
type OurResults = {
  rps: Record<string, number>;
  ratios: { sessionToBare: number; sessionToLimit: number; signInToHash: number; signInToBareHttp: number };
  eventLoopMsPerSignIn: Record<string, number>;
};

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): void {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${result.status}`);
}

/** The peer's harness, copied beside this repo's checkout and installed once (again when its lock file changes). */
function preparePeer(): void {
  if (!existsSync(join(SOURCE, 'bench.mjs')))
    throw new Error(`no Better Auth harness at ${SOURCE} (set PEER_BETTER_AUTH_DIR to its folder)`);
  const lock = (dir: string) =>
    existsSync(join(dir, 'package-lock.json')) ? readFileSync(join(dir, 'package-lock.json'), 'utf8') : '';
  const installed = existsSync(join(WORK, 'node_modules')) && lock(WORK) === lock(SOURCE);
  mkdirSync(WORK, { recursive: true });
  for (const file of readdirSync(SOURCE))
    if (file !== 'data' && file !== 'node_modules') cpSync(join(SOURCE, file), join(WORK, file), { recursive: true });
  if (installed) return;
  console.log(
    `bench:peers: installing Better Auth's harness in ${WORK} (npm ci; better-sqlite3 compiles, about a minute)`,
  );
  run('npm', ['ci', '--no-audit', '--no-fund'], WORK);
}

function newestResults(): PeerResults {
  const dataDir = join(WORK, 'data');
  const files = readdirSync(dataDir)
    .filter((name) => name.startsWith('results-') && name.endsWith('.json'))
    .sort();
  const newest = files.at(-1);
  if (!newest) throw new Error('the Better Auth harness wrote no results');
  return JSON.parse(readFileSync(join(dataDir, newest), 'utf8')) as PeerResults;
}

const scratch = mkdtempSync(join(tmpdir(), 'mamori-peers-'));
try {
  preparePeer();
  console.log('\nbench:peers: Better Auth (its own harness)');
  run(process.execPath, ['bench.mjs'], WORK, SAME_WORK);
  const peer = newestResults();

  console.log('\nbench:peers: Mamori (bench/run.ts, hot paths only)');
  const ourFile = join(scratch, 'mamori.json');
  run(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'run.ts')], ROOT, {
    ...SAME_WORK,
    BENCH_HOT_PATHS_ONLY: '1',
    BENCH_RESULTS_FILE: ourFile,
  });
  const ours = JSON.parse(readFileSync(ourFile, 'utf8')) as OurResults;

  preparePeersFolder();
  console.log("\nbench:peers: the OpenID Provider's work (bench/oidc-peers.ts)");
  const oidcFile = join(scratch, 'oidc.json');
  run(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'oidc-peers.ts')], ROOT, {
    BENCH_RESULTS_FILE: oidcFile,
  });
  const oidc = JSON.parse(readFileSync(oidcFile, 'utf8')) as OidcResults;

  const cell = (value: number | undefined) => (value === undefined ? '     –' : value.toFixed(3).padStart(6));
  const verdict = (value: number, target: number) => (value >= target ? 'met' : 'MISSED');
  console.log('\nsame run, same machine                        Mamori   Better Auth   target (Mamori)');
  console.log(
    `  session check / bare Fastify route          ${cell(ours.ratios.sessionToBare)}        ${cell(peer.ratios['session(default)/baseline'])}   >= 0.5, ${verdict(ours.ratios.sessionToBare, 0.5)}`,
  );
  console.log(
    `  session check (cookie cache) / bare route        –        ${cell(peer.ratios['session(cookie cache)/baseline'])}`,
  );
  console.log(
    `  session check / its limit (same read, bare) ${cell(ours.ratios.sessionToLimit)}             –   >= 0.8, ${verdict(ours.ratios.sessionToLimit, 0.8)}`,
  );
  console.log(
    `  sign-in / bare argon2id verify              ${cell(ours.ratios.signInToHash)}        ${cell(peer.ratios['sign-in/bare-verify'])}   >= 0.9, ${verdict(ours.ratios.signInToHash, 0.9)}`,
  );
  console.log(
    `  session checks per second                   ${ours.rps['session check']?.toFixed(0).padStart(6)}        ${peer.agg.session?.rps.toFixed(0).padStart(6)}`,
  );
  console.log(
    `  sign-ins per second                         ${ours.rps['sign-in']?.toFixed(0).padStart(6)}        ${peer.agg.signin?.rps.toFixed(0).padStart(6)}`,
  );
  console.log(
    `  sign-in / bare HTTP sign-in (same run)      ${cell(ours.ratios.signInToBareHttp)}             –   >= 0.95, ${verdict(ours.ratios.signInToBareHttp, 0.95)}`,
  );
  const loop = ours.eventLoopMsPerSignIn;
  if (loop['sign-in'] !== undefined && loop['bare HTTP sign-in'] !== undefined)
    console.log(
      `  event loop per sign-in, ms (Mamori / bare)  ${loop['sign-in'].toFixed(2).padStart(6)} / ${loop['bare HTTP sign-in'].toFixed(2)}`,
    );
  printOidcTable(oidc);
  console.log(
    `\n(${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${SHORT ? 'short mode' : 'full run'})`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(0);
