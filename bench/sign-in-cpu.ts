// The password sign-in's cost in each server's own process (POST /sign-in, the right password, rotating
// users, each from the browser they used before, as bench/run.ts measures it): Mamori beside the bare HTTP
// sign-in (bare Fastify: form post, one argon2id verify, cookie, redirect), autocannon at CONNECTIONS, rounds
// alternating who goes first. Besides sign-ins per second (noisy on a shared machine) it prints the CPU the
// server's event loop spent per sign-in, read from /proc (cpu-time.ts), which other load moves far less,
// and how many argon2id hashes were in flight on average (hashesInFlight): fewer than the concurrency
// allows means the pool waited for the event loop, which costs the rate more than the loop's CPU says.
// `tsx bench/sign-in-cpu.ts` (SIGN_IN_CPU_ROUNDS, SIGN_IN_CPU_SECONDS, SIGN_IN_CPU_PORT). SIGN_IN_CPU_BEFORE=<checkout>
// also runs that checkout's Mamori (its bench/servers.ts, e.g. the commit before a change) in the same rounds.
// SIGN_IN_CPU_MACHINE=1 prints, for every server and round, where the whole machine's CPU per sign-in went
// (machine-split.ts). BENCH_NO_HASH=1 runs both servers without argon2id (fixtures.ts): the request path alone.
// SIGN_IN_CPU_WARM_UP (seconds, default 2): how long every server signs in before the first round counts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { cpuSince, cpuTime, hashesInFlight, threadTimes } from './cpu-time.ts';
import { csrfPair, hardStop, ownerSignInRequests, startServer, stopServers } from './processes.ts';
import { machineSnapshot, machineSplitSince } from './machine-split.ts';
import { median } from './stats.ts';

const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.SIGN_IN_CPU_ROUNDS ?? 3);
const SECONDS = Number(process.env.SIGN_IN_CPU_SECONDS ?? 6);
const PORT = Number(process.env.SIGN_IN_CPU_PORT ?? 4430);
const BEFORE = process.env.SIGN_IN_CPU_BEFORE;
const MACHINE = process.env.SIGN_IN_CPU_MACHINE === '1';
const WARM_UP_SECONDS = Number(process.env.SIGN_IN_CPU_WARM_UP ?? 2);
const USERS = 200;
hardStop(8 * 60_000, 'sign-in cpu bench');

type Server = { name: string; pid: number; url: string; csrf: { cookie: string; token: string } };

function load(server: Server, seconds: number): Promise<{ rps: number; total: number }> {
  const requests = ownerSignInRequests(server.csrf, USERS);
  return new Promise((resolve, reject) => {
    autocannon(
      { url: server.url, method: 'POST', connections: CONNECTIONS, duration: seconds, requests },
      (error, result) => {
        if (error) return reject(error);
        if (result.errors + result.timeouts > 0 || result.non2xx !== result['3xx'])
          return reject(new Error(`${server.url}: failed responses`));
        resolve({ rps: result.requests.average, total: result.requests.total });
      },
    );
  });
}

/** The main thread's user and system CPU seconds (a socket write's kernel work is system time). */
function mainThreadSplit(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

const dir = mkdtempSync(join(tmpdir(), 'mamori-sign-in-cpu-'));
try {
  const servers: Server[] = [];
  const roles: [string, 'mamori' | 'baseline', number, string?][] = [
    ['mamori', 'mamori', PORT],
    ['bare HTTP', 'baseline', PORT + 1],
  ];
  if (BEFORE) roles.push(['mamori-before', 'mamori', PORT + 2, join(BEFORE, 'bench', 'servers.ts')]);
  for (const [name, role, port, serversFile] of roles) {
    const env = {
      BENCH_USERS: String(USERS),
      ...(role === 'mamori'
        ? { BENCH_DB: join(dir, `${name}.sqlite`), BENCH_OWNERS: '1' }
        : { BENCH_LIMIT_DB: join(dir, 'mamori.sqlite') }),
    };
    const pid = await startServer(role, port, env, serversFile);
    const base = `http://127.0.0.1:${port}`;
    const csrf = role === 'mamori' ? await csrfPair(base) : { cookie: '', token: '' };
    servers.push({ name, pid, url: role === 'mamori' ? `${base}/sign-in` : `${base}/baseline/sign-in`, csrf });
  }
  const figures = new Map<string, { rps: number[]; loopUs: number[]; systemUs: number[]; inFlight: number[] }>();
  for (const server of servers) await load(server, WARM_UP_SECONDS);
  for (let round = 1; round <= ROUNDS; round += 1) {
    const order = round % 2 === 1 ? servers : [...servers].reverse();
    for (const server of order) {
      await load(server, 1);
      const before = cpuTime(server.pid);
      const split = mainThreadSplit(server.pid);
      const threadsBefore = threadTimes(server.pid);
      const machineBefore = MACHINE ? machineSnapshot(server.pid) : undefined;
      const started = process.hrtime.bigint();
      const rate = await load(server, SECONDS);
      const inFlight = hashesInFlight(server.pid, threadsBefore, Number(process.hrtime.bigint() - started), rate.total);
      const used = cpuSince(before, server.pid);
      if (machineBefore) console.log(machineSplitSince(machineBefore, server.pid, rate.total));
      const loopUs = (used.mainThread * 1e6) / rate.total;
      const systemUs = ((mainThreadSplit(server.pid).system - split.system) * 1e6) / rate.total;
      const entry = figures.get(server.name) ?? { rps: [], loopUs: [], systemUs: [], inFlight: [] };
      entry.rps.push(rate.rps);
      entry.inFlight.push(inFlight);
      entry.loopUs.push(loopUs);
      entry.systemUs.push(systemUs);
      figures.set(server.name, entry);
      console.log(
        `  round ${round}  ${server.name.padEnd(14)} ${rate.rps.toFixed(0).padStart(5)}/s  ${loopUs.toFixed(0).padStart(5)} µs on the event loop per sign-in (${systemUs.toFixed(0)} of it in the kernel), ${inFlight.toFixed(2)} hashes in flight`,
      );
    }
  }
  const bare = figures.get('bare HTTP');
  console.log(`\nmedians over ${ROUNDS} rounds, ${CONNECTIONS} connections:`);
  for (const [name, f] of figures)
    console.log(
      `  ${name.padEnd(14)} ${median(f.rps).toFixed(0).padStart(5)}/s  ${median(f.loopUs).toFixed(0).padStart(5)} µs event loop ` +
        `(${median(f.systemUs).toFixed(0)} in the kernel), ${median(f.inFlight).toFixed(2)} hashes in flight` +
        (bare && name !== 'bare HTTP'
          ? `  (${(median(f.rps) / median(bare.rps)).toFixed(3)} of bare HTTP in rate)`
          : ''),
    );
} finally {
  stopServers();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
