// The OpenID Provider's own work, against what a shop would run instead (issue 29), in one run on this
// machine: Mamori (the real app, SQLite file), Better Auth with its OAuth provider plugin (bench/peers/,
// SQLite file, argon2id with Mamori's parameters), and two bare oidc-providers, one on a plain durable
// SQLite adapter (each write its own commit) and one on an in-memory Map (the library's own limit). Each
// in its own process; the shop and its shoppers' browsers run here (oidc-rp.ts), CONNECTIONS at a time:
//   1. code exchange: pre-minted codes with PKCE redeemed at the token endpoint (client_secret_basic);
//   2. refresh: refresh-token rotation, one chain per connection;
//   3. sign-in through the shop: authorize → the provider's sign-in form → code → tokens, per second and p99;
//   4. userinfo and token introspection per second (autocannon, one live access token).
// Rounds alternate the order of the providers so drift hits all alike. BENCH_SHORT=1: a quick check.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { BENCH_ARGON2, BENCH_REDIRECT_URI, BENCH_VERIFIER, type MintedCodes } from './oidc-servers.ts';
import { redeem, rotate, rpClient, signInThroughShop, type Rate } from './oidc-rp.ts';
import { hardStop, startPeerServer, startServer, stopServers } from './processes.ts';

const SHORT = process.env.BENCH_SHORT === '1';
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.OIDC_ROUNDS ?? (SHORT ? 2 : 3));
const EXCHANGES = Number(process.env.OIDC_EXCHANGES ?? (SHORT ? 150 : 600));
const SIGN_INS = Number(process.env.OIDC_SIGN_INS ?? (SHORT ? 30 : 80));
const SECONDS = Number(process.env.OIDC_SECONDS ?? (SHORT ? 2 : 5));
const USERS = Number(process.env.BENCH_USERS ?? 50);
const BASE_PORT = Number(process.env.OIDC_PEERS_PORT ?? 4430);
/** A fifth of each count first, unmeasured (the JIT, caches, the SQLite pages). */
const warm = (count: number) => Math.max(CONNECTIONS, Math.ceil(count / 5));
const BETTER_AUTH_SERVER = fileURLToPath(new URL('./peers/better-auth-oidc.mjs', import.meta.url));

export const PROVIDERS = ['mamori', 'betterAuth', 'durable', 'memory'] as const;
type ProviderKey = (typeof PROVIDERS)[number];
export const WORKLOADS = ['code exchange', 'refresh', 'sign-in through the shop', 'userinfo', 'introspection'] as const;
type Workload = (typeof WORKLOADS)[number];
export type OidcResults = Record<Workload, Record<ProviderKey, Rate>>;

const NAMES: Record<ProviderKey, string> = {
  mamori: 'Mamori',
  betterAuth: "Better Auth's OAuth provider",
  durable: 'bare oidc-provider, SQLite',
  memory: 'bare oidc-provider, in memory',
};

type Target = {
  key: ProviderKey;
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

async function startProviders(dir: string): Promise<Target[]> {
  const codes = ROUNDS * (EXCHANGES + warm(EXCHANGES)) + CONNECTIONS + 1;
  const env = (key: ProviderKey) => ({
    BENCH_CODES: String(codes),
    BENCH_CODES_FILE: join(dir, `${key}.json`),
    BENCH_USERS: String(USERS),
  });
  await Promise.all([
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
  return PROVIDERS.map((key) => ({
    key,
    minted: JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as MintedCodes,
    codesUsed: 0,
    chains: [],
    accessToken: '',
    signIns: 0,
  }));
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
    for (const target of targets) {
      await prepare(client, target);
      await checkIntrospection(client, target);
    }
    const rates = new Map<string, Rate[]>();
    for (let round = 1; round <= ROUNDS; round += 1) {
      const order = round % 2 === 1 ? targets : [...targets].reverse();
      for (const workload of WORKLOADS)
        for (const target of order) {
          await work[workload](client, target, true);
          const rate = await work[workload](client, target, false);
          const key = `${workload}:${target.key}`;
          rates.set(key, [...(rates.get(key) ?? []), rate]);
          console.log(
            `  round ${round}  ${workload.padEnd(25)} ${NAMES[target.key].padEnd(30)} ${rate.rps.toFixed(0).padStart(6)}/s  p99 ${rate.p99.toFixed(1).padStart(6)} ms`,
          );
        }
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    const results = Object.fromEntries(
      WORKLOADS.map((workload) => [
        workload,
        Object.fromEntries(
          PROVIDERS.map((key) => {
            const runs = rates.get(`${workload}:${key}`) ?? [];
            return [key, { rps: mean(runs.map((r) => r.rps)), p99: mean(runs.map((r) => r.p99)) }];
          }),
        ),
      ]),
    ) as OidcResults;
    printOidcTable(results);
    return results;
  } finally {
    client.close();
    stopServers();
    rmSync(dir, { recursive: true, force: true });
  }
}

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
    `\nOpenID Provider work, ${CONNECTIONS} connections   Mamori  BetterAuth  bare SQL  bare mem   M/BA  M/bSQL  M/bmem   verdict (Mamori)`,
  );
  const line = (label: string, of: (rate: Rate) => number, workload: Workload, lowerIsBetter = false) => {
    const row = results[workload];
    const [m, ba, sql, mem] = PROVIDERS.map((key) => of(row[key])) as [number, number, number, number];
    const r = (other: number) => (lowerIsBetter ? other / m : m / other);
    const target = TARGETS[workload];
    const verdict =
      target === undefined || lowerIsBetter
        ? '(information)'
        : `>= ${target.toFixed(1)} of bare SQLite and ahead of Better Auth: ${r(sql) >= target && r(ba) > 1 ? 'met' : 'MISSED'}`;
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
}

if (import.meta.url === `file://${process.argv[1]}`) {
  hardStop((SHORT ? 6 : 20) * 60_000, 'oidc peers bench');
  const results = await benchOidcPeers();
  if (process.env.BENCH_RESULTS_FILE) writeFileSync(process.env.BENCH_RESULTS_FILE, JSON.stringify(results));
  process.exit(0);
}
