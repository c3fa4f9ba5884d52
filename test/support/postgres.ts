import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './loopback.ts';

/**
 * A throw-away PostgreSQL cluster from Debian's binaries, on a loopback port in a temp folder, for one
 * test file. When the binaries are missing, `why` says so and the PostgreSQL tests are skipped loudly.
 */
export interface PgCluster {
  newDatabaseUrl(): Promise<string>;
  stop(): void;
  /**
   * The server's log. With `explainEveryQuery`, auto_explain is loaded and writes every statement's plan
   * as JSON once `ALTER SYSTEM SET auto_explain.log_min_duration = 0` is reloaded (off until then).
   */
  logFile: string;
  /**
   * CPU seconds used so far by the server and every process it started (backends, WAL writer,
   * checkpointer, autovacuum), from /proc: null where there is none.
   */
  cpuSeconds(): number | null;
}

function findBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

export const postgresUnavailable: string | null = findBinDir()
  ? null
  : 'PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql): PostgreSQL tests skipped';

let cluster: Promise<PgCluster> | null = null;

export function pgCluster(): Promise<PgCluster> {
  cluster ??= startCluster();
  return cluster;
}

/**
 * A cluster of its own. Tests run it without syncing to disk (fast, and nothing survives them anyway);
 * benchmarks ask for `durable`, PostgreSQL's defaults, so their figures are what a real database pays.
 */
export async function startCluster(
  options: {
    durable?: boolean;
    explainEveryQuery?: boolean;
    /** Load pg_stat_statements, nested statements too (the foreign key checks); `CREATE EXTENSION` it to read. */
    statements?: boolean;
  } = {},
): Promise<PgCluster> {
  const bin = findBinDir();
  if (!bin) throw new Error(postgresUnavailable ?? 'no postgres');
  const dir = mkdtempSync(join(tmpdir(), 'mamori-pg-'));
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root: the cluster belongs to the postgres user when we are root.
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const preload = [
    ...(options.explainEveryQuery ? ['auto_explain'] : []),
    ...(options.statements ? ['pg_stat_statements'] : []),
  ];
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200${options.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off'}${
      preload.length > 0 ? ` -c shared_preload_libraries=${preload.join(',')}` : ''
    }${
      options.explainEveryQuery ? ' -c auto_explain.log_format=json -c auto_explain.log_nested_statements=on' : ''
    }${options.statements ? ' -c pg_stat_statements.track=all' : ''}`,
    'start',
  ]);

  const stop = () => {
    const args = ['-D', data, '-m', 'immediate', '-w', 'stop'];
    if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' });
    else spawnSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);

  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  let counter = 0;
  return {
    logFile: join(dir, 'log'),
    cpuSeconds: () => clusterCpuSeconds(data),
    async newDatabaseUrl() {
      counter += 1;
      const name = `mamori_test_${process.pid}_${counter}`;
      await admin.query(`CREATE DATABASE ${name}`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop() {
      void admin.end().catch(() => undefined);
      stop();
      process.removeListener('exit', stop);
    },
  };
}

const TICKS_PER_SECOND = 100;

function clusterCpuSeconds(data: string): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended since the listing
    }
    // After the command name: state, parent pid, …, utime (14th field) and stime (15th).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pid) === postmaster || Number(fields[1]) === postmaster)
      ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

export async function stopClusterIfStarted(): Promise<void> {
  if (cluster) (await cluster).stop();
  cluster = null;
}
