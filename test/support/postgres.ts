import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
  options: { durable?: boolean; explainEveryQuery?: boolean } = {},
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
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200${options.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off'}${
      options.explainEveryQuery
        ? ' -c shared_preload_libraries=auto_explain -c auto_explain.log_format=json -c auto_explain.log_nested_statements=on'
        : ''
    }`,
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

export async function stopClusterIfStarted(): Promise<void> {
  if (cluster) (await cluster).stop();
  cluster = null;
}
