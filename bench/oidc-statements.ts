// Every SQL statement each OpenID Provider of the OIDC figures runs per operation (code exchange, refresh,
// the whole sign-in through the shop):
// Mamori's provider and the bare oidc-provider on its durable SQLite adapter, both in this process, both on
// better-sqlite3, whose statements are counted where they run (a bench-only wrap of its Statement methods,
// told apart by database file). Noise on a shared machine does not move these counts, unlike throughput.
// `tsx bench/oidc-statements.ts [count]` (default 200 of each, one at a time; STATEMENTS_CONNECTIONS=10 to
// see how group commit folds concurrent writes; STATEMENTS_WORK='sign-in through the shop' for one workload).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database, { type Statement } from 'better-sqlite3';
import { redeem, rotate, rpClient, signInThroughShop } from './oidc-rp.ts';
import { serveBareProvider, serveMamoriProvider, type MintedCodes } from './oidc-servers.ts';

const COUNT = Number(process.argv[2] ?? 200);
const CONNECTIONS = Number(process.env.STATEMENTS_CONNECTIONS ?? 1);
const PORT = Number(process.env.STATEMENTS_PORT ?? 4391);
/** The whole sign-in through the shop (argon2id included) is slow: a tenth as many. */
const SIGN_INS = Math.ceil(COUNT / 10);
const USERS = 10;

type Tally = { runs: number; us: number };
const counts = new Map<string, Map<string, Tally>>();
/** Commits per database: a write outside a transaction (SQLite commits it alone) or a COMMIT. */
const commits = new Map<string, number>();
let counting = false;

/** Wraps the methods that run a prepared statement, counting each run by its database and SQL text. */
function countStatements(): void {
  const probe = new Database(':memory:');
  const prototype = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, unknown>;
  probe.close();
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = prototype[method] as (...args: unknown[]) => unknown;
    prototype[method] = function counted(this: Statement, ...args: unknown[]) {
      if (!counting) return original.apply(this, args);
      const file = this.database.name;
      // Checked before it runs: a write outside a transaction is committed alone, as is every COMMIT.
      const commitsHere =
        /^\s*commit\b/i.test(this.source) ||
        (/^\s*(insert|update|delete)\b/i.test(this.source) && !this.database.inTransaction);
      const started = process.hrtime.bigint();
      const result = original.apply(this, args);
      const us = Number(process.hrtime.bigint() - started) / 1000;
      const perDb = counts.get(file) ?? new Map<string, Tally>();
      counts.set(file, perDb);
      const sql = this.source.replace(/\s+/g, ' ').trim();
      const tally = perDb.get(sql) ?? { runs: 0, us: 0 };
      perDb.set(sql, { runs: tally.runs + 1, us: tally.us + us });
      if (commitsHere) commits.set(file, (commits.get(file) ?? 0) + 1);
      return result;
    };
  }
}

const shorten = (sql: string) => (sql.length > 150 ? `${sql.slice(0, 147)}...` : sql);

function report(title: string, file: string, operations: number): void {
  const perDb = [...(counts.get(file) ?? new Map<string, Tally>())].sort((a, b) => b[1].us - a[1].us);
  const runs = perDb.reduce((sum, [, t]) => sum + t.runs, 0);
  const us = perDb.reduce((sum, [, t]) => sum + t.us, 0);
  const perOp = (n: number, digits: number, width: number) => (n / operations).toFixed(digits).padStart(width);
  console.log(
    `  ${title}: ${perOp(runs, 2, 0)} statements, ${perOp(commits.get(file) ?? 0, 2, 0)} commits, ` +
      `${perOp(us, 0, 0)} µs in SQLite per operation (per statement: runs, µs)`,
  );
  for (const [sql, tally] of perDb)
    console.log(`    ${perOp(tally.runs, 2, 6)} ${perOp(tally.us, 0, 5)}  ${shorten(sql)}`);
}

countStatements();
process.env.BENCH_USERS = String(USERS);
const dir = mkdtempSync(join(tmpdir(), 'mamori-oidc-statements-'));
const client = rpClient(CONNECTIONS);
try {
  const servers: { name: string; file: string; minted: MintedCodes; used: number }[] = [];
  const mamoriFile = join(dir, 'mamori.sqlite');
  await serveMamoriProvider(PORT, mamoriFile, 2 * (COUNT + CONNECTIONS) + 20, join(dir, 'mamori.json'));
  servers.push({ name: 'mamori', file: mamoriFile, minted: read(join(dir, 'mamori.json')), used: 0 });
  const bareFile = join(dir, 'bare.sqlite');
  await serveBareProvider(PORT + 1, 2 * (COUNT + CONNECTIONS) + 20, join(dir, 'bare.json'), bareFile);
  servers.push({ name: 'bare-sqlite', file: bareFile, minted: read(join(dir, 'bare.json')), used: 0 });

  const workloads = ['code exchange', 'refresh', 'sign-in through the shop'] as const;
  const only = process.env.STATEMENTS_WORK?.split(',');
  for (const workload of workloads.filter((name) => !only || only.includes(name))) {
    const count = workload === 'sign-in through the shop' ? SIGN_INS : COUNT;
    console.log(`\n${workload} (${count}, ${CONNECTIONS} at a time):`);
    for (const server of servers) {
      const { minted } = server;
      const code = () => minted.codes[server.used++] ?? '';
      const chains: string[] = [];
      for (let i = 0; i < CONNECTIONS; i += 1) chains.push((await redeem(client, minted, code())).refresh_token ?? '');
      counts.clear();
      commits.clear();
      counting = true;
      await client.load(count, async (n, worker) => {
        if (workload === 'code exchange') await redeem(client, minted, code());
        else if (workload === 'refresh')
          chains[worker] = (await rotate(client, minted, chains[worker] ?? '')).refresh_token ?? '';
        else await signInThroughShop(client, minted, n, USERS);
      });
      counting = false;
      report(server.name, server.file, count);
    }
  }
} finally {
  client.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);

function read(file: string): MintedCodes {
  return JSON.parse(readFileSync(file, 'utf8')) as MintedCodes;
}
