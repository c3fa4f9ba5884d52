// The token endpoint's cost in each provider's own process: Mamori's provider beside the bare oidc-provider
// on its durable SQLite adapter, code exchange and refresh, CONNECTIONS at a time, rounds alternating who
// goes first. Besides operations per second (noisy on a shared machine) it prints the CPU time the
// provider's process spent per operation, read from /proc (cpu-time.ts), which other load moves far less.
// `tsx bench/oidc-cpu.ts` (OIDC_CPU_ROUNDS, OIDC_CPU_COUNT to change the work; OIDC_CPU_WORK=code exchange,refresh,sign-in). OIDC_CPU_BEFORE=<checkout>
// also runs that checkout's Mamori (its bench/servers.ts, e.g. the commit before a change) in the same rounds.
// OIDC_CPU_MACHINE=1 prints, for every server and round, where the whole machine's CPU per operation went
// (machine-split.ts). BENCH_NO_HASH=1 runs the sign-in without argon2id in either provider (fixtures.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSince, cpuTime } from './cpu-time.ts';
import { redeem, rotate, rpClient, signInThroughShop } from './oidc-rp.ts';
import type { MintedCodes } from './oidc-servers.ts';
import { hardStop, startServer, stopServers } from './processes.ts';
import { machineSnapshot, machineSplitSince } from './machine-split.ts';
import { median } from './stats.ts';

const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.OIDC_CPU_ROUNDS ?? 4);
const COUNT = Number(process.env.OIDC_CPU_COUNT ?? 600);
const PORT = Number(process.env.OIDC_CPU_PORT ?? 4420);
const USERS = 10;
const BEFORE = process.env.OIDC_CPU_BEFORE;
const MACHINE = process.env.OIDC_CPU_MACHINE === '1';
hardStop(10 * 60_000, 'oidc cpu bench');

type Server = { name: string; pid: number; minted: MintedCodes; used: number; chains: string[]; signIns: number };
type Figures = { rps: number[]; cpuUs: number[]; mainUs: number[] };
const client = rpClient(CONNECTIONS);
const dir = mkdtempSync(join(tmpdir(), 'mamori-oidc-cpu-'));

type Work = { count: number; run: (s: Server) => (n: number, worker: number) => Promise<void> };
const ALL_WORK: Record<string, Work> = {
  'code exchange': {
    count: COUNT,
    run: (s) => async () => void (await redeem(client, s.minted, s.minted.codes[s.used++] ?? '')),
  },
  refresh: {
    count: COUNT,
    run: (s) => async (_n, worker) => {
      s.chains[worker] = (await rotate(client, s.minted, s.chains[worker] ?? '')).refresh_token ?? '';
    },
  },
  // The whole sign-in (argon2id included, on the process's other threads): a tenth of the count.
  'sign-in': {
    count: Math.ceil(COUNT / 10),
    run: (s) => () => signInThroughShop(client, s.minted, s.signIns++, USERS),
  },
};
const WORK = Object.fromEntries(
  (process.env.OIDC_CPU_WORK ?? 'code exchange,refresh').split(',').map((name) => {
    const work = ALL_WORK[name];
    if (!work) throw new Error(`unknown workload ${name}`);
    return [name, work];
  }),
);

try {
  const servers: Server[] = [];
  const codes = ROUNDS * (COUNT + Math.ceil(COUNT / 5)) + COUNT + CONNECTIONS + 10;
  const roles: [string, 'oidc-mamori' | 'oidc-bare', number, string?][] = [
    ['mamori', 'oidc-mamori', PORT],
    ['bare-sqlite', 'oidc-bare', PORT + 1],
  ];
  if (BEFORE) roles.push(['mamori-before', 'oidc-mamori', PORT + 2, join(BEFORE, 'bench', 'servers.ts')]);
  for (const [name, role, port, serversFile] of roles) {
    const env = {
      BENCH_CODES: String(codes),
      BENCH_CODES_FILE: join(dir, `${name}.json`),
      BENCH_DB: join(dir, `${name}.sqlite`),
      BENCH_USERS: String(USERS),
    };
    const pid = await startServer(role, port, env, serversFile);
    const minted = JSON.parse(readFileSync(env.BENCH_CODES_FILE, 'utf8')) as MintedCodes;
    const server: Server = { name, pid, minted, used: 0, chains: [], signIns: 0 };
    for (let i = 0; i < CONNECTIONS; i += 1)
      server.chains.push((await redeem(client, minted, minted.codes[server.used++] ?? '')).refresh_token ?? '');
    servers.push(server);
  }
  // The JIT and SQLite's pages warm before any round counts.
  for (const server of servers) for (const work of Object.values(WORK)) await client.load(work.count, work.run(server));
  const figures = new Map<string, Figures>();
  for (let round = 1; round <= ROUNDS; round += 1) {
    const order = round % 2 === 1 ? servers : [...servers].reverse();
    for (const [workload, work] of Object.entries(WORK))
      for (const server of order) {
        await client.load(Math.ceil(work.count / 5), work.run(server));
        const before = cpuTime(server.pid);
        const machineBefore = MACHINE ? machineSnapshot(server.pid) : undefined;
        const rate = await client.load(work.count, work.run(server));
        const used = cpuSince(before, server.pid);
        if (machineBefore) console.log(machineSplitSince(machineBefore, server.pid, work.count));
        const cpuUs = ((used.mainThread + used.otherThreads) * 1e6) / work.count;
        const mainUs = (used.mainThread * 1e6) / work.count;
        const key = `${workload}:${server.name}`;
        const entry = figures.get(key) ?? { rps: [], cpuUs: [], mainUs: [] };
        entry.rps.push(rate.rps);
        entry.cpuUs.push(cpuUs);
        entry.mainUs.push(mainUs);
        figures.set(key, entry);
        console.log(
          `  round ${round}  ${workload.padEnd(14)} ${server.name.padEnd(12)} ${rate.rps.toFixed(0).padStart(5)}/s  ${cpuUs.toFixed(0).padStart(5)} µs CPU per operation, ${mainUs.toFixed(0)} on the event loop`,
        );
      }
  }
  console.log(`\nmedians over ${ROUNDS} rounds, ${CONNECTIONS} connections:`);
  for (const workload of Object.keys(WORK)) {
    const bare = figures.get(`${workload}:bare-sqlite`);
    if (!bare) continue;
    for (const server of servers) {
      const f = figures.get(`${workload}:${server.name}`);
      if (!f || server.name === 'bare-sqlite') continue;
      console.log(
        `  ${workload.padEnd(14)} ${server.name.padEnd(14)} ${median(f.rps).toFixed(0)}/s ${median(f.cpuUs).toFixed(0)} µs CPU ` +
          `(${median(f.mainUs).toFixed(0)} event loop); bare-sqlite ${median(bare.rps).toFixed(0)}/s ` +
          `${median(bare.cpuUs).toFixed(0)} µs CPU (${median(bare.mainUs).toFixed(0)}); of bare: ` +
          `${(median(f.rps) / median(bare.rps)).toFixed(2)} in rate, ${(median(bare.cpuUs) / median(f.cpuUs)).toFixed(2)} in CPU per operation`,
      );
    }
  }
} finally {
  client.close();
  stopServers();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
