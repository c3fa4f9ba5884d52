// The OpenID Provider's own work, against what a shop would run instead (issue 29), in one run on this
// machine: Mamori (the real app, SQLite file), Better Auth with its OAuth provider plugin (bench/peers/,
// SQLite file, argon2id with Mamori's parameters), and two bare oidc-providers, one on a plain durable
// SQLite adapter (each write its own commit) and one on an in-memory Map (the library's own limit). Each
// in its own process; the shop and its shoppers' browsers run here (oidc-rp.ts), CONNECTIONS at a time:
//   1. code exchange: pre-minted codes with PKCE redeemed at the token endpoint (client_secret_basic);
//   2. refresh: refresh-token rotation, one chain per connection;
//   3. sign-in through the shop: authorize → the provider's sign-in form → code → tokens, per second and p99;
//   4. userinfo and token introspection per second (autocannon, one live access token).
// Each round runs Mamori and the bare SQLite provider back to back (the order alternates round by round), so
// the machine's drift, which on a shared VM moves a figure by a third within minutes, hits both alike; a
// target's verdict is the median of those per-round ratios, and every round's ratio is printed. Beside the
// rates, each server's CPU per operation (its event loop and its other threads, from /proc), which drift moves
// far less. BENCH_SHORT=1: a quick check. OIDC_WORK=<workload>,…: only those workloads (names as in WORKLOADS).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { BENCH_ARGON2 } from './fixtures.ts';
import { BENCH_REDIRECT_URI, BENCH_VERIFIER, type MintedCodes } from './oidc-servers.ts';
import { redeem, rotate, rpClient, signInThroughShop, type Rate } from './oidc-rp.ts';
import { canReadCpuTime, cpuSince, cpuTime, type CpuTime } from './cpu-time.ts';
import { preparePeersFolder } from './peers-folder.ts';
import { hardStop, startPeerServer, startServer, stopServers } from './processes.ts';
import { median } from './stats.ts';

const SHORT = process.env.BENCH_SHORT === '1';
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
// Eleven paired rounds: with five, the same code's median moved across a target either way between runs
// (docs/benchmark-notes.md, the ninth stop).
const ROUNDS = Number(process.env.OIDC_ROUNDS ?? (SHORT ? 2 : 11));
const EXCHANGES = Number(process.env.OIDC_EXCHANGES ?? (SHORT ? 150 : 1500));
const SIGN_INS = Number(process.env.OIDC_SIGN_INS ?? (SHORT ? 30 : 150));
const SECONDS = Number(process.env.OIDC_SECONDS ?? (SHORT ? 2 : 3));
const USERS = Number(process.env.BENCH_USERS ?? 50);
const BASE_PORT = Number(process.env.OIDC_PEERS_PORT ?? 4430);
/** A fifth of each count first, unmeasured (the JIT, caches, the SQLite pages). */
const warm = (count: number) => Math.max(CONNECTIONS, Math.ceil(count / 5));
const BETTER_AUTH_SERVER = fileURLToPath(new URL('./peers/better-auth-oidc.mjs', import.meta.url));

export const PROVIDERS = ['mamori', 'betterAuth', 'durable', 'memory'] as const;
type ProviderKey = (typeof PROVIDERS)[number];
/** A round's order (reversed every other round): Mamori and the bare SQLite provider always back to back. */
const ROUND_ORDER: readonly ProviderKey[] = ['mamori', 'durable', 'memory', 'betterAuth'];
export const WORKLOADS = ['code exchange', 'refresh', 'sign-in through the shop', 'userinfo', 'introspection'] as const;
type Workload = (typeof WORKLOADS)[number];
/** OIDC_WORK=<workload>,<workload>: only those, in the usual order (e.g. one target while working on it). */
const ASKED = workloadsAsked(process.env.OIDC_WORK);
/** CPU per operation in µs: the server's event loop and its other threads (GC, libuv's pool where argon2id runs). */
type CpuPerOp = { loopUs: number; otherUs: number };
export type OidcResults = {
  /** Each figure as the mean of its rounds. */
  rates: Record<Workload, Record<ProviderKey, Rate>>;
  /** Mamori's rate over the bare SQLite provider's, round by round (measured back to back). */
  roundRatios: Record<Workload, number[]>;
  /** Absent where /proc cannot be read. */
  cpu?: Record<Workload, Record<ProviderKey, CpuPerOp>>;
};

const NAMES: Record<ProviderKey, string> = {
  mamori: 'Mamori',
  betterAuth: "Better Auth's OAuth provider",
  durable: 'bare oidc-provider, SQLite',
  memory: 'bare oidc-provider, in memory',
};

type Target = {
  key: ProviderKey;
  pid: number;
  minted: MintedCodes;
  codesUsed: number;
  chains: string[];
  accessToken: string;
  signIns: number;
};

function cannon(opts: autocannon.Options): Promise<Rate> {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, ...opts }, (error, result) => {
      if (error) return reject(error);
      const bad = result.non2xx + result.errors + result.timeouts;
      if (bad > 0) return reject(new Error(`${opts.url}: ${bad} failed responses`));
      resolve({ rps: result.requests.average, p99: result.latency.p99 });
    });
  });
}

async function startProviders(dir: string): Promise<Map<ProviderKey, Target>> {
  const codes = ROUNDS * (EXCHANGES + warm(EXCHANGES)) + CONNECTIONS + 1;
  const env = (key: ProviderKey) => ({
    BENCH_CODES: String(codes),
    BENCH_CODES_FILE: join(dir, `${key}.json`),
    BENCH_USERS: String(USERS),
  });
  const pids = await Promise.all([
    startServer('oidc-mamori', BASE_PORT, { ...env('mamori'), BENCH_DB: join(dir, 'mamori.sqlite') }),
    startPeerServer(BETTER_AUTH_SERVER, BASE_PORT + 1, {
      ...env('betterAuth'),
      BENCH_DB: join(dir, 'better-auth.sqlite'),
      BENCH_ARGON2: JSON.stringify(BENCH_ARGON2),
      BENCH_REDIRECT_URI,
      BENCH_VERIFIER,
    }),
    startServer('oidc-bare', BASE_PORT + 2, { ...env('durable'), BENCH_DB: join(dir, 'bare.sqlite') }),
    startServer('oidc-bare', BASE_PORT + 3, env('memory')),
  ]);
  return new Map(
    PROVIDERS.map((key, i) => [
      key,
      {
        key,
        pid: pids[i] ?? 0,
        minted: JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as MintedCodes,
        codesUsed: 0,
        chains: [],
        accessToken: '',
        signIns: 0,
      },
    ]),
  );
}

type Client = ReturnType<typeof rpClient>;

/** One live access token and a refresh-token chain per connection, from codes no round will use. */
async function prepare(client: Client, target: Target): Promise<void> {
  const take = () => target.minted.codes[target.codesUsed++] ?? '';
  for (let i = 0; i < CONNECTIONS; i += 1)
    target.chains.push((await redeem(client, target.minted, take())).refresh_token ?? '');
  if (target.chains.some((token) => !token)) throw new Error(`${NAMES[target.key]} issued no refresh token`);
  target.accessToken = (await redeem(client, target.minted, take())).access_token;
}

const work: Record<Workload, (client: Client, target: Target, warmup: boolean) => Promise<Rate>> = {
  'code exchange': (client, target, warmup) => {
    const first = target.codesUsed;
    const count = warmup ? warm(EXCHANGES) : EXCHANGES;
    target.codesUsed += count;
    return client.load(count, (n) =>
      redeem(client, target.minted, target.minted.codes[first + n] ?? '').then(() => {}),
    );
  },
  refresh: (client, target, warmup) =>
    client.load(warmup ? warm(EXCHANGES) : EXCHANGES, async (_n, worker) => {
      const tokens = await rotate(client, target.minted, target.chains[worker] ?? '');
      target.chains[worker] = tokens.refresh_token ?? '';
    }),
  'sign-in through the shop': (client, target, warmup) => {
    const first = target.signIns;
    const count = warmup ? warm(SIGN_INS) : SIGN_INS;
    target.signIns += count;
    return client.load(count, (n) => signInThroughShop(client, target.minted, first + n, USERS));
  },
  userinfo: (_client, target, warmup) =>
    cannon({
      url: target.minted.endpoints.userinfo,
      headers: { authorization: `Bearer ${target.accessToken}` },
      duration: warmup ? 1 : SECONDS,
    }),
  introspection: (_client, target, warmup) =>
    cannon({
      url: target.minted.endpoints.introspection,
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(target.minted.clientId)}:${encodeURIComponent(target.minted.clientSecret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: target.accessToken }).toString(),
      duration: warmup ? 1 : SECONDS,
    }),
};

/** The introspection figure counts only if the provider says the token is live. */
async function checkIntrospection(client: Client, target: Target): Promise<void> {
  const { minted } = target;
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(minted.clientId)}:${encodeURIComponent(minted.clientSecret)}`).toString('base64')}`;
  const res = await client.send(
    'POST',
    new URL(minted.endpoints.introspection),
    { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({ token: target.accessToken }).toString(),
  );
  if (res.status !== 200 || !res.body.includes('"active":true'))
    throw new Error(`${NAMES[target.key]}: introspection answered ${res.status} ${res.body.slice(0, 200)}`);
}

export async function benchOidcPeers(): Promise<OidcResults> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-oidc-peers-'));
  const client = rpClient(CONNECTIONS);
  try {
    console.log(
      `\noidc peers: starting four providers (${USERS} shoppers each, argon2id m=${BENCH_ARGON2.memoryCost} t=${BENCH_ARGON2.timeCost} p=${BENCH_ARGON2.parallelism}); ${CONNECTIONS} connections, ${ROUNDS} rounds${SHORT ? ' (short mode)' : ''}`,
    );
    const targets = await startProviders(dir);
    for (const target of targets.values()) {
      await prepare(client, target);
      await checkIntrospection(client, target);
    }
    const measureCpu = canReadCpuTime();
    const rates = new Map<string, Rate[]>();
    const cpu = new Map<string, { used: CpuTime; operations: number }>();
    const inOrder = ROUND_ORDER.map((key) => targets.get(key)).filter((t): t is Target => t !== undefined);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const order = round % 2 === 1 ? inOrder : [...inOrder].reverse();
      for (const workload of ASKED)
        for (const target of order) {
          await work[workload](client, target, true);
          const before = measureCpu ? cpuTime(target.pid) : undefined;
          const started = performance.now();
          const rate = await work[workload](client, target, false);
          const key = `${workload}:${target.key}`;
          if (before) {
            const used = cpuSince(before, target.pid);
            const sum = cpu.get(key) ?? { used: { mainThread: 0, otherThreads: 0 }, operations: 0 };
            cpu.set(key, {
              used: {
                mainThread: sum.used.mainThread + used.mainThread,
                otherThreads: sum.used.otherThreads + used.otherThreads,
              },
              operations: sum.operations + (rate.rps * (performance.now() - started)) / 1000,
            });
          }
          rates.set(key, [...(rates.get(key) ?? []), rate]);
          console.log(
            `  round ${round}  ${workload.padEnd(25)} ${NAMES[target.key].padEnd(30)} ${rate.rps.toFixed(0).padStart(6)}/s  p99 ${rate.p99.toFixed(1).padStart(6)} ms`,
          );
        }
    }
    const results = collect(rates, measureCpu ? cpu : undefined);
    printOidcTable(results);
    return results;
  } finally {
    client.close();
    stopServers();
    rmSync(dir, { recursive: true, force: true });
  }
}

function collect(
  rates: Map<string, Rate[]>,
  cpu: Map<string, { used: CpuTime; operations: number }> | undefined,
): OidcResults {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const perWorkload = <T>(of: (workload: Workload, key: ProviderKey) => T) =>
    Object.fromEntries(
      WORKLOADS.map((workload) => [workload, Object.fromEntries(PROVIDERS.map((key) => [key, of(workload, key)]))]),
    ) as Record<Workload, Record<ProviderKey, T>>;
  const runs = (workload: Workload, key: ProviderKey) => rates.get(`${workload}:${key}`) ?? [];
  return {
    rates: perWorkload((workload, key) => ({
      rps: mean(runs(workload, key).map((r) => r.rps)),
      p99: mean(runs(workload, key).map((r) => r.p99)),
    })),
    roundRatios: Object.fromEntries(
      WORKLOADS.map((workload) => {
        const bare = runs(workload, 'durable');
        return [workload, runs(workload, 'mamori').map((r, i) => r.rps / (bare[i]?.rps ?? Number.NaN))];
      }),
    ) as Record<Workload, number[]>,
    cpu:
      cpu &&
      perWorkload((workload, key) => {
        const sum = cpu.get(`${workload}:${key}`);
        const per = (seconds: number) => (sum && sum.operations > 0 ? (seconds * 1e6) / sum.operations : 0);
        return { loopUs: per(sum?.used.mainThread ?? 0), otherUs: per(sum?.used.otherThreads ?? 0) };
      }),
  };
}

function workloadsAsked(asked: string | undefined): readonly Workload[] {
  if (!asked) return WORKLOADS;
  const names = asked.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !WORKLOADS.some((workload) => workload === name));
  if (unknown.length > 0)
    throw new Error(`OIDC_WORK: no workload "${unknown.join('", "')}"; there are: ${WORKLOADS.join(', ')}`);
  return WORKLOADS.filter((workload) => names.includes(workload));
}

/** The workloads that ran: one left out (OIDC_WORK) has no rounds, so no line rather than a zero and a missed target. */
const measuredIn = (results: OidcResults) => WORKLOADS.filter((workload) => results.roundRatios[workload].length > 0);

/** Per target of issue 29: Mamori's share of the bare durable provider it must reach, and ahead of Better Auth. */
const TARGETS: Partial<Record<Workload, number>> = {
  'code exchange': 1.0,
  refresh: 1.0,
  'sign-in through the shop': 0.9,
};

export function printOidcTable(results: OidcResults): void {
  const num = (value: number, width = 8) => value.toFixed(value < 10 ? 1 : 0).padStart(width);
  const ratio = (value: number) => value.toFixed(2).padStart(7);
  console.log(
    `\nOpenID Provider work, ${CONNECTIONS} connections   Mamori  BetterAuth  bare SQL  bare mem   M/BA  M/bSQL  M/bmem   verdict (Mamori; M/bSQL: median of the rounds)`,
  );
  const measured = measuredIn(results);
  const line = (label: string, of: (rate: Rate) => number, workload: Workload, lowerIsBetter = false) => {
    if (!measured.includes(workload)) return;
    const row = results.rates[workload];
    const [m, ba, sql, mem] = PROVIDERS.map((key) => of(row[key])) as [number, number, number, number];
    const r = (other: number) => (lowerIsBetter ? other / m : m / other);
    const target = TARGETS[workload];
    const paired = median(results.roundRatios[workload]);
    const verdict =
      target === undefined || lowerIsBetter
        ? '(information)'
        : `${paired.toFixed(3)} >= ${target.toFixed(1)} of bare SQLite and ahead of Better Auth: ${paired >= target && r(ba) > 1 ? 'met' : 'MISSED'}`;
    console.log(
      `  ${label.padEnd(38)} ${num(m)} ${num(ba, 11)} ${num(sql, 9)} ${num(mem, 9)} ${ratio(r(ba))} ${ratio(r(sql))} ${ratio(r(mem))}   ${verdict}`,
    );
  };
  line('code exchanges /s', (r) => r.rps, 'code exchange');
  line('refresh rotations /s', (r) => r.rps, 'refresh');
  line('sign-ins through the shop /s', (r) => r.rps, 'sign-in through the shop');
  line('  its p99, ms (ratios: theirs / ours)', (r) => r.p99, 'sign-in through the shop', true);
  line('userinfo /s', (r) => r.rps, 'userinfo');
  line('introspection /s', (r) => r.rps, 'introspection');

  console.log('\nMamori / bare SQLite, round by round (each pair measured back to back)   median');
  for (const workload of measured) {
    const rounds = results.roundRatios[workload];
    console.log(
      `  ${workload.padEnd(26)} ${rounds
        .map((r) => r.toFixed(2).padStart(5))
        .join(' ')
        .padEnd(44)} ${median(rounds).toFixed(2).padStart(5)}`,
    );
  }
  printCpuPerOperation(results);
}

/** Each server's CPU per operation, all rounds together: steadier than rates on a machine others share. */
function printCpuPerOperation(results: OidcResults): void {
  if (!results.cpu) return;
  const cell = (cpu: CpuPerOp) => `${cpu.loopUs.toFixed(0).padStart(6)} + ${cpu.otherUs.toFixed(0).padStart(5)}`;
  console.log(
    '\nCPU per operation, µs (event loop + other threads)   Mamori          BetterAuth      bare SQL        bare mem    bSQL/M (event loop)',
  );
  for (const workload of measuredIn(results)) {
    const row = results.cpu[workload];
    console.log(
      `  ${workload.padEnd(50)} ${PROVIDERS.map((key) => cell(row[key])).join('  ')}   ${(row.durable.loopUs / row.mamori.loopUs).toFixed(2).padStart(6)}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  hardStop((SHORT ? 6 : 35) * 60_000, 'oidc peers bench');
  preparePeersFolder();
  const results = await benchOidcPeers();
  if (process.env.BENCH_RESULTS_FILE) writeFileSync(process.env.BENCH_RESULTS_FILE, JSON.stringify(results));
  process.exit(0);
}
