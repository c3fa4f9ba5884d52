// Where Mamori's provider spends its time on the OIDC work of bench/oidc-peers.ts, beside the bare
// oidc-provider on a durable SQLite adapter doing the same: each server profiles only the measured window
// (bench/profiled.ts); the report gives self time per operation by category and the heaviest frames.
// `tsx bench/profile-oidc.ts [workload ...]` (default: all); PROFILE_DIR keeps the .cpuprofile files.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATEGORIES, IDLE, selfTimeByCategory, topFrames } from './cpu-profile.ts';
import { redeem, rotate, rpClient, signInThroughShop } from './oidc-rp.ts';
import type { MintedCodes } from './oidc-servers.ts';
import { ask, hardStop, startServer, stopServers } from './processes.ts';

const COUNT = Number(process.env.PROFILE_COUNT ?? 1500);
const SIGN_INS = Number(process.env.PROFILE_SIGN_INS ?? 150);
const PORT = Number(process.env.PROFILE_PORT ?? 4395);
const USERS = 50;
hardStop(8 * 60_000, 'oidc profile');

type Server = { name: string; pid: number; minted: MintedCodes; chains: string[]; access: string; used: number };
const client = rpClient(10);

const basic = (m: MintedCodes) => `Basic ${Buffer.from(`${m.clientId}:${m.clientSecret}`).toString('base64')}`;
const WORK: Record<string, { count: number; run: (s: Server, n: number, worker: number) => Promise<void> }> = {
  'code exchange': {
    count: COUNT,
    run: async (s) => void (await redeem(client, s.minted, s.minted.codes[s.used++] ?? '')),
  },
  refresh: {
    count: COUNT,
    run: async (s, _n, worker) => {
      s.chains[worker] = (await rotate(client, s.minted, s.chains[worker] ?? '')).refresh_token ?? '';
    },
  },
  userinfo: {
    count: COUNT * 2,
    run: async (s) => {
      const res = await client.send('GET', new URL(s.minted.endpoints.userinfo), {
        authorization: `Bearer ${s.access}`,
      });
      if (res.status !== 200) throw new Error(`userinfo ${res.status}`);
    },
  },
  introspection: {
    count: COUNT * 2,
    run: async (s) => {
      const res = await client.send(
        'POST',
        new URL(s.minted.endpoints.introspection),
        { authorization: basic(s.minted), 'content-type': 'application/x-www-form-urlencoded' },
        `token=${s.access}`,
      );
      if (!res.body.includes('"active":true')) throw new Error(`introspection ${res.status}`);
    },
  },
  'sign-in through the shop': {
    count: SIGN_INS,
    run: (s, n) => signInThroughShop(client, s.minted, n, USERS),
  },
};

const dir = mkdtempSync(join(tmpdir(), 'mamori-oidc-profile-'));
const kept = process.env.PROFILE_DIR;
try {
  const env = (name: string) => ({
    BENCH_PROFILE: '1',
    BENCH_USERS: String(USERS),
    BENCH_CODES: String(COUNT * 2 + 20),
    BENCH_CODES_FILE: join(dir, `${name}.json`),
    BENCH_DB: join(dir, `${name}.sqlite`),
  });
  const servers: Server[] = [];
  for (const [name, role, port] of [
    ['mamori', 'oidc-mamori', PORT],
    ['bare-sqlite', 'oidc-bare', PORT + 1],
  ] as const) {
    const pid = await startServer(role, port, env(name));
    const minted = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as MintedCodes;
    const server: Server = { name, pid, minted, chains: [], access: '', used: 0 };
    for (let i = 0; i < 10; i += 1)
      server.chains.push((await redeem(client, minted, minted.codes[server.used++] ?? '')).refresh_token ?? '');
    server.access = (await redeem(client, minted, minted.codes[server.used++] ?? '')).access_token;
    servers.push(server);
  }
  const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(WORK);
  for (const workload of chosen) {
    const work = WORK[workload];
    if (!work) throw new Error(`unknown workload ${workload}`);
    const results = [];
    for (const server of servers) {
      await client.load(Math.ceil(work.count / 5), (n, w) => work.run(server, n + 1_000_000, w));
      const file = join(kept ?? dir, `${server.name}-${workload.replaceAll(' ', '-')}.cpuprofile`);
      await ask(server.pid, { profile: 'start' }, 'profiling');
      const rate = await client.load(work.count, (n, w) => work.run(server, n, w));
      await ask(server.pid, { profile: 'stop', file }, 'profiled');
      results.push({ server, rate, totals: selfTimeByCategory(file), top: topFrames(file, 12) });
    }
    console.log(
      `\n${workload}: ${results.map((r) => `${r.server.name} ${r.rate.rps.toFixed(0)}/s`).join(', ')} (profiled)`,
    );
    const rows = [...CATEGORIES.map(([name]) => name), 'other'];
    console.log(
      `  ${'self time per operation, µs'.padEnd(48)}${results.map((r) => r.server.name.padStart(13)).join('')}`,
    );
    for (const name of rows) {
      const cells = results.map((r) => (r.totals.get(name) ?? 0) / work.count);
      if (cells.every((c) => c < 1) && name !== IDLE) continue;
      console.log(`  ${name.padEnd(48)}${cells.map((c) => c.toFixed(0).padStart(13)).join('')}`);
    }
    for (const r of results) {
      console.log(`  heaviest frames, ${r.server.name} (µs per operation):`);
      for (const [frame, us] of r.top) console.log(`    ${(us / work.count).toFixed(0).padStart(6)}  ${frame}`);
    }
  }
} finally {
  client.close();
  stopServers();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
