// `npm run bench`: figures and ratios against baselines measured in the same run, on 127.0.0.1 only.
//   1. session check (GET /api/session with a valid cookie) vs a bare Fastify route with the same JSON
//   2. sign-in (POST /sign-in, correct password, rotating users) vs bare argon2id verify, same parameters,
//      and vs the least a sign-in over HTTP can be (bare Fastify: form post, one verify, cookie, redirect),
//      which shows how much of the gap is the HTTP client and server sharing the two cores with the hash.
//      Where the CPU of one sign-in goes (argon2id and GC threads, the server's event loop, the load generator) is
//      printed too: on two cores everything but the hash is taken from the hashing.
//   3. a page's static file while sign-ins flood in (hashes wait apart from libuv's pool) vs the same server
//      letting every hash into the pool (MAMORI_HASH_CONCURRENCY=256), which queues file reads behind them
// Then incident.ts (containment, notice latency), proof.ts (report → recovered through the passkey path), oidc.ts (containment reaching a shop, code exchange vs a
// bare oidc-provider), client.ts (the shop client verifying an ID token vs jose with the key in hand), events.ts (security event throughput on PostgreSQL and SQLite), medusa-containment.ts (issue 28: containment click → a real Medusa refusing the token; skipped without integrations/medusa/node_modules), risk.ts, enumeration.ts, import.ts (issue 26: import throughput, imported bcrypt sign-in, the wrong-password timing gap) and the credential-stuffing run, each with its own baseline.
// Servers run in their own processes; autocannon runs here. Rounds alternate order so drift hits all
// targets alike. Bounded: DURATION s per measurement, ROUNDS rounds, and a hard stop.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { hash, verify } from '@node-rs/argon2';
import { benchEmail as email, benchOwnerDevice as ownDevice, benchPassword as password } from './fixtures.ts';
import { canReadCpuTime, cpuSince, cpuTime, type CpuTime } from './cpu-time.ts';
import { csrfPair, hardStop, signInSetup, startServer as startProcess, stopServers as stopAll } from './processes.ts';
import { median, percentile } from './stats.ts';

const DURATION = Number(process.env.DURATION ?? 8);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const WARMUP = Number(process.env.WARMUP ?? 2);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const USERS = Number(process.env.BENCH_USERS ?? 200);
const BASE_PORT = Number(process.env.PORT ?? 4300);
const HARD_STOP_MS = 20 * 60_000;
/** Only the session check and sign-in figures (bench/peers.ts runs them beside Better Auth's). */
const HOT_PATHS_ONLY = process.env.BENCH_HOT_PATHS_ONLY === '1';
const ARGON2 = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;
hardStop(HARD_STOP_MS, 'bench');
const startServer = (role: 'mamori' | 'baseline', port: number, env: Record<string, string> = {}) =>
  startProcess(role, port, { ...env, BENCH_USERS: String(USERS) });

/** `cpuOf`: the process whose threads do the target's work (a server, or this one for the bare hash). */
type Target = { name: string; run: (seconds: number) => Promise<{ rps: number; p99: number }>; cpuOf?: number };
type CpuShare = { requests: number; server: CpuTime; loadGenerator: number };

function cannon(opts: autocannon.Options, seconds: number): Promise<{ rps: number; p99: number }> {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, ...opts, duration: seconds }, (error, result) => {
      if (error) return reject(error);
      const bad = result.non2xx + result.errors + result.timeouts;
      const allowed = opts.method === 'POST' ? result.non2xx - result['3xx'] : result.non2xx;
      if (result.errors + result.timeouts > 0 || allowed > 0)
        return reject(new Error(`${opts.url}: ${bad} failed responses`));
      resolve({ rps: result.requests.average, p99: result.latency.p99 });
    });
  });
}

/** p50 and p90 of fetching `url` 30 times, 100 ms apart. */
async function fetchTimes(url: string): Promise<{ p50: number; p90: number }> {
  const times: number[] = [];
  for (let k = 0; k < 30; k += 1) {
    const started = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    times.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { p50: percentile(times, 0.5), p90: percentile(times, 0.9) };
}

async function bareVerify(seconds: number, hashes: string[]): Promise<{ rps: number; p99: number }> {
  const end = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  let i = 0;
  const worker = async () => {
    while (performance.now() < end) {
      const n = i++ % hashes.length;
      const started = performance.now();
      if (!(await verify(hashes[n] ?? '', password(n)))) throw new Error('verify failed');
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return { rps: latencies.length / seconds, p99: percentile(latencies, 0.99) };
}

const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-'));
try {
  console.log(
    `bench: seeding ${USERS} users, starting servers (${CONNECTIONS} connections, ${DURATION}s x ${ROUNDS} rounds)`,
  );
  const [mamoriPid, baselinePid] = await Promise.all([
    // Every user has a browser they signed in from before (BENCH_OWNERS), and the measured sign-ins come from it.
    startServer('mamori', BASE_PORT, { BENCH_DB: join(dir, 'bench.sqlite'), BENCH_OWNERS: '1' }),
    // The baseline reads Mamori's file for the limit figure (same rows, same index).
    startServer('baseline', BASE_PORT + 1, { BENCH_LIMIT_DB: join(dir, 'bench.sqlite') }),
    startServer('mamori', BASE_PORT + 2, {
      BENCH_DB: join(dir, 'unlimited.sqlite'),
      BENCH_OWNERS: '1',
      BENCH_HASH_CONCURRENCY: '256',
    }),
  ]);
  const base = `http://127.0.0.1:${BASE_PORT}`;
  const { cookie, csrf, session } = await signInSetup(base);
  const hashes = await Promise.all(Array.from({ length: 50 }, (_, i) => hash(password(i), ARGON2)));

  let user = 0;
  /** Correct passwords for rotating users, each from the browser the user signed in with before. */
  const formPosts = (url: string, csrfToken: string, csrfCookie = ''): autocannon.Options => ({
    url,
    method: 'POST',
    requests: [
      {
        setupRequest: (req) => {
          const n = user++ % USERS;
          return {
            ...req,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              cookie: `${csrfCookie}; mamori_device=${ownDevice(n)}`,
            },
            body: new URLSearchParams({ _csrf: csrfToken, email: email(n), password: password(n) }).toString(),
          };
        },
      },
    ],
  });
  const targets: Target[] = [
    { name: 'bare Fastify route', run: (s) => cannon({ url: `http://127.0.0.1:${BASE_PORT + 1}/baseline` }, s) },
    {
      name: 'session check',
      run: (s) => cannon({ url: `${base}/api/session`, headers: { cookie: `mamori_session=${session}` } }, s),
    },
    {
      name: 'session check limit',
      run: (s) =>
        cannon(
          {
            url: `http://127.0.0.1:${BASE_PORT + 1}/baseline/session-limit`,
            headers: { cookie: `mamori_session=${session}` },
          },
          s,
        ),
    },
    // The sign-in and the bare HTTP sign-in back to back in every round (either order): their ratio is paired.
    { name: 'bare argon2id verify', run: (s) => bareVerify(s, hashes), cpuOf: process.pid },
    { name: 'sign-in', run: (s) => cannon(formPosts(`${base}/sign-in`, csrf, cookie), s), cpuOf: mamoriPid },
    {
      name: 'bare HTTP sign-in',
      run: (s) => cannon(formPosts(`http://127.0.0.1:${BASE_PORT + 1}/baseline/sign-in`, ''), s),
      cpuOf: baselinePid,
    },
  ];
  const measureCpu = canReadCpuTime();
  const cpuShares = new Map<string, CpuShare>();
  const benchCpuSeconds = () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1e6;
  };

  const results = new Map<string, { rps: number; p99: number }[]>();
  for (let round = 1; round <= ROUNDS; round += 1) {
    const order = round % 2 === 1 ? targets : [...targets].reverse();
    for (const target of order) {
      await target.run(WARMUP);
      const pid = measureCpu ? target.cpuOf : undefined;
      const serverBefore = pid ? cpuTime(pid) : undefined;
      const benchBefore = benchCpuSeconds();
      const r = await target.run(DURATION);
      if (pid && serverBefore) {
        const server = cpuSince(serverBefore, pid);
        const share = cpuShares.get(target.name) ?? {
          requests: 0,
          server: { mainThread: 0, otherThreads: 0 },
          loadGenerator: 0,
        };
        cpuShares.set(target.name, {
          requests: share.requests + r.rps * DURATION,
          server: {
            mainThread: share.server.mainThread + server.mainThread,
            otherThreads: share.server.otherThreads + server.otherThreads,
          },
          loadGenerator: pid === process.pid ? 0 : share.loadGenerator + benchCpuSeconds() - benchBefore,
        });
      }
      results.set(target.name, [...(results.get(target.name) ?? []), r]);
      console.log(
        `  round ${round}  ${target.name.padEnd(22)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99.toFixed(1)} ms`,
      );
    }
  }
  const mean = (name: string) => {
    const rs = results.get(name) ?? [];
    return rs.reduce((sum, r) => sum + r.rps, 0) / Math.max(1, rs.length);
  };
  console.log('\nfigure                          req/s (mean of rounds)');
  for (const name of results.keys()) console.log(`  ${name.padEnd(28)} ${mean(name).toFixed(0).padStart(8)}`);
  const sessionRatio = mean('session check') / mean('bare Fastify route');
  const sessionLimitRatio = mean('session check') / mean('session check limit');
  const signInRatio = mean('sign-in') / mean('bare argon2id verify');
  // Paired round by round (measured back to back), then the median: the machine's drift cancels out.
  const bareHttp = results.get('bare HTTP sign-in') ?? [];
  const signInToBareHttpRounds = (results.get('sign-in') ?? []).map((r, i) => r.rps / (bareHttp[i]?.rps ?? Number.NaN));
  const signInToBareHttp = median(signInToBareHttpRounds);
  const verdict = (value: number, target: number) => (value >= target ? 'met' : 'MISSED');
  console.log('\nratio                                   ours   target   better-auth (peer README)');
  console.log(
    `  session check / bare route           ${sessionRatio.toFixed(3)}   >= 0.5   0.025   ${verdict(sessionRatio, 0.5)}`,
  );
  console.log(
    `  session check / its limit            ${sessionLimitRatio.toFixed(3)}   >= 0.8           ${verdict(sessionLimitRatio, 0.8)}`,
  );
  console.log(
    `  limit / bare route                   ${(mean('session check limit') / mean('bare Fastify route')).toFixed(3)}   (the read, the checks and the headers alone)`,
  );
  console.log(
    `  sign-in (risk engine on) / bare hash ${signInRatio.toFixed(3)}   >= 0.9   0.8     ${verdict(signInRatio, 0.9)}`,
  );
  console.log(
    `  bare HTTP sign-in / bare hash        ${(mean('bare HTTP sign-in') / mean('bare argon2id verify')).toFixed(3)}   (what this harness allows any HTTP sign-in)`,
  );
  console.log(
    `  sign-in / bare HTTP sign-in          ${signInToBareHttp.toFixed(3)}   (Mamori's own share; median of the rounds ${signInToBareHttpRounds.map((r) => r.toFixed(3)).join(', ')})`,
  );

  if (cpuShares.size > 0) {
    console.log('\nCPU per sign-in, ms (both cores)   hash+GC threads   event loop   load generator   sum');
    for (const [name, share] of cpuShares) {
      const ms = (seconds: number) => ((seconds / share.requests) * 1000).toFixed(1).padStart(15);
      const sum = share.server.mainThread + share.server.otherThreads + share.loadGenerator;
      console.log(
        `  ${name.padEnd(30)} ${ms(share.server.otherThreads)} ${ms(share.server.mainThread)} ${name === 'bare argon2id verify' ? '           –'.padStart(16) : ms(share.loadGenerator).padStart(16)} ${ms(sum).padStart(6)}`,
      );
    }
  }

  if (process.env.BENCH_RESULTS_FILE)
    writeFileSync(
      process.env.BENCH_RESULTS_FILE,
      JSON.stringify({
        rps: Object.fromEntries([...results.keys()].map((name) => [name, mean(name)])),
        ratios: {
          sessionToBare: sessionRatio,
          sessionToLimit: sessionLimitRatio,
          signInToHash: signInRatio,
          signInToBareHttp,
        },
        eventLoopMsPerSignIn: Object.fromEntries(
          [...cpuShares].map(([name, share]) => [name, (share.server.mainThread / share.requests) * 1000]),
        ),
      }),
    );

  // bench:peers wants the hot paths alone.
  if (!HOT_PATHS_ONLY) {
    const staticFileInFlood = async (server: string) => {
      const form = await csrfPair(server);
      const flood = cannon(formPosts(`${server}/sign-in`, form.token, form.cookie), 6);
      const times = await fetchTimes(`${server}/static/app.css`);
      await flood;
      return times;
    };
    const queuedApart = await staticFileInFlood(base);
    const inPool = await staticFileInFlood(`http://127.0.0.1:${BASE_PORT + 2}`);
    console.log(`\nstatic file during a sign-in flood (${CONNECTIONS} connections)   p50 ms   p90 ms`);
    console.log(
      `  hashes wait apart (default)                ${queuedApart.p50.toFixed(1).padStart(6)}   ${queuedApart.p90.toFixed(1).padStart(6)}`,
    );
    console.log(
      `  every hash in libuv's pool (baseline)      ${inPool.p50.toFixed(1).padStart(6)}   ${inPool.p90.toFixed(1).padStart(6)}`,
    );
    console.log(
      `  p90 ratio (baseline / default)             ${(inPool.p90 / Math.max(queuedApart.p90, 0.1)).toFixed(1)}`,
    );
  }
} finally {
  stopAll();
  rmSync(dir, { recursive: true, force: true });
}

if (HOT_PATHS_ONLY) process.exit(0);
const { benchContainment, benchNoticeLatency } = await import('./incident.ts');
await benchContainment();
await benchNoticeLatency();
const { benchProofRecovery } = await import('./proof.ts');
await benchProofRecovery();
const { benchShopLogout, benchCodeExchange } = await import('./oidc.ts');
await benchShopLogout();
await benchCodeExchange();
const { benchClientVerify } = await import('./client.ts');
await benchClientVerify();
const { benchEventThroughput } = await import('./events.ts');
await benchEventThroughput();
const { benchMedusaContainment } = await import('./medusa-containment.ts');
await benchMedusaContainment();
const { benchRiskEvaluation } = await import('./risk.ts');
await benchRiskEvaluation();
const { benchEnumeration } = await import('./enumeration.ts');
await benchEnumeration();
const { benchImport } = await import('./import.ts');
await benchImport();
const { runCredentialStuffing } = await import('./credential-stuffing.ts');
const stuffing = await runCredentialStuffing();
process.exit(stuffing.ok ? 0 : 1);
