// `npm run bench:import-profile`: where PostgreSQL's time goes in an import (issue 26). Each run imports
// IMPORT_ROWS mixed rows into a fresh database of one durable cluster and prints, beside accounts/s
// (noisy on a shared machine), what noise hardly moves: the server's CPU time (every process of the
// cluster) and its WAL bytes per 1,000 accounts (the cluster's, and the import's statements' own).
// The last run's statements follow from pg_stat_statements (nested ones too: the foreign key checks),
// by time spent inside PostgreSQL.
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { MemoryMailer } from '../src/delivery/memory-mailer.ts';
import { composeMamori } from '../src/runtime/compose.ts';
import { importAccounts } from '../src/services/import/import-accounts.ts';
import { legacyCustomers, mixedImportRows } from '../test/support/import-fixtures.ts';
import { postgresUnavailable, startCluster } from '../test/support/postgres.ts';

const ROWS = Number(process.env.IMPORT_ROWS ?? 20_000);
const RUNS = Number(process.env.IMPORT_RUNS ?? 3);
const { customers, keys } = legacyCustomers();
const perThousand = (value: number, accounts: number) => (value / accounts) * 1000;

interface WalStats {
  wal_records: string;
  wal_fpi: string;
  wal_bytes: string;
}

async function importOnce(databaseUrl: string, cpuSeconds: () => number | null, last: boolean): Promise<void> {
  const m = await composeMamori(
    loadConfig({ MAMORI_DATABASE_URL: databaseUrl, MAMORI_LOG_LEVEL: 'silent', MAMORI_DEMO_ACCOUNT: 'false' }),
    { mailer: new MemoryMailer(), workerIntervalMs: 0, log: pino({ level: 'silent' }) },
  );
  const admin = new pg.Client(databaseUrl);
  await admin.connect();
  try {
    await admin.query('create extension if not exists pg_stat_statements');
    await admin.query('checkpoint'); // each run starts after a checkpoint: the same full-page writes
    await admin.query(`select pg_stat_statements_reset(), pg_stat_reset_shared('wal')`);
    const rows = mixedImportRows(ROWS, customers).map((value, i) => ({ line: i + 1, value }));
    const cpuBefore = cpuSeconds();
    const nodeBefore = process.cpuUsage();
    const started = performance.now();
    const report = await importAccounts(m.deps, rows, { clientId: 'bench-shop', dryRun: false, keys });
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuSeconds();
    const node = process.cpuUsage(nodeBefore);
    const n = report.imported;
    const wal = (await admin.query<WalStats>('select wal_records, wal_fpi, wal_bytes from pg_stat_wal')).rows[0];
    // pg_stat_wal hears of a backend's WAL at most once a second, so it may miss a run's last second; each
    // statement's own is counted as it ends (top-level only: a foreign key check's is inside its INSERT's).
    const statementsWal = (
      await admin.query<{ b: string }>('select sum(wal_bytes) as b from pg_stat_statements where toplevel')
    ).rows[0];
    const serverCpu =
      cpuBefore === null || cpuAfter === null
        ? 'n/a'
        : `${perThousand((cpuAfter - cpuBefore) * 1000, n).toFixed(0)} ms`;
    console.log(
      `${n} accounts in ${seconds.toFixed(2)} s = ${(n / seconds).toFixed(0).padStart(5)}/s | per 1,000: ` +
        `PostgreSQL CPU ${serverCpu}, WAL ${perThousand(Number(wal?.wal_bytes) / 1024, n).toFixed(0)} kB ` +
        `(${perThousand(Number(wal?.wal_records), n).toFixed(0)} records, ${wal?.wal_fpi} full pages in all; ` +
        `the import's statements ${perThousand(Number(statementsWal?.b) / 1024, n).toFixed(0)} kB), ` +
        `importer CPU ${perThousand((node.user + node.system) / 1000, n).toFixed(0)} ms`,
    );
    if (last) await printStatements(admin, n);
  } finally {
    await admin.end();
    await m.close();
  }
}

async function printStatements(admin: pg.Client, accounts: number): Promise<void> {
  const { rows } = await admin.query<{ calls: string; ms: number; wal: string; blocks: string; query: string }>(
    `select calls, total_exec_time as ms, wal_bytes as wal, shared_blks_hit + shared_blks_read as blocks,
       regexp_replace(query, '\\s+', ' ', 'g') as query
     from pg_stat_statements where total_exec_time > 5 order by total_exec_time desc limit 12`,
  );
  console.log('\nlast run, by time inside PostgreSQL (nested statements are inside their caller too)');
  console.log('  ms/1000  WAL B/acct  blocks/acct     calls  statement');
  for (const r of rows)
    console.log(
      `${perThousand(r.ms, accounts).toFixed(1).padStart(9)} ${(Number(r.wal) / accounts).toFixed(0).padStart(11)} ` +
        `${(Number(r.blocks) / accounts).toFixed(1).padStart(12)} ${r.calls.padStart(9)}  ${r.query.slice(0, 70)}`,
    );
}

if (postgresUnavailable) console.log(`skipped: ${postgresUnavailable}`);
else {
  const cluster = await startCluster({ durable: true, statements: true });
  try {
    console.log(`import of ${ROWS.toLocaleString('en')} mixed rows, PostgreSQL with durable defaults, ${RUNS} runs`);
    for (let run = 1; run <= RUNS; run++)
      await importOnce(await cluster.newDatabaseUrl(), cluster.cpuSeconds, run === RUNS);
  } finally {
    cluster.stop();
  }
}
