import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the Medusa project (medusa-config.ts, src/) is. */
export const PROJECT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const MEDUSA_CLI = join(PROJECT_DIR, 'node_modules', '@medusajs', 'cli', 'cli.js');

export interface MedusaServerOptions {
  databaseUrl: string;
  port: number;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The storefront's callback page, registered at Mamori as the client's redirect URI. */
  callbackUrl: string;
  /** Logs go here, never into the project folder (`medusa develop` would restart on every line). */
  logDir?: string;
  env?: Record<string, string>;
  /** The database is a copy of one already migrated (with the admin user): skip both. */
  migrated?: boolean;
}

/** The admin `medusa user` makes: the tests and the example use it to set the store up and to fulfil orders. */
export const ADMIN = { email: 'admin@maple-market.example', password: 'medusa admin lantern harbour' };

export interface MedusaServer {
  url: string;
  logFile: string;
  /** Seconds spent migrating and starting, for the report. */
  timings: { migrateSeconds: number; startSeconds: number };
  close(): Promise<void>;
}

function environment(options: MedusaServerOptions): NodeJS.ProcessEnv {
  const storefront = new URL(options.callbackUrl).origin;
  return {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: options.databaseUrl,
    PORT: String(options.port),
    JWT_SECRET: randomBytes(32).toString('hex'),
    COOKIE_SECRET: randomBytes(32).toString('hex'),
    STORE_CORS: storefront,
    AUTH_CORS: storefront,
    MAMORI_ISSUER: options.issuer,
    MAMORI_CLIENT_ID: options.clientId,
    MAMORI_CLIENT_SECRET: options.clientSecret,
    MAMORI_CALLBACK_URL: options.callbackUrl,
    MEDUSA_BACKEND_URL: `http://127.0.0.1:${options.port}`,
    MEDUSA_DISABLE_TELEMETRY: 'true',
    ...options.env,
  };
}

function medusaCli(options: MedusaServerOptions, logFile: string, args: string[]): void {
  const result = spawnSync(process.execPath, [MEDUSA_CLI, ...args], {
    cwd: PROJECT_DIR,
    env: environment(options),
    encoding: 'utf8',
    timeout: 300_000,
  });
  createWriteStream(logFile, { flags: 'a' }).end(`${result.stdout}\n${result.stderr}\n`);
  if (result.status !== 0)
    throw new Error(`medusa ${args[0]} failed (${result.status}); see ${logFile}\n${result.stderr.slice(-2000)}`);
}

/** Runs `medusa db:migrate` against the (empty) database (Medusa's modules and links), then makes the admin. */
export function migrate(options: MedusaServerOptions, logFile: string): number {
  const started = performance.now();
  medusaCli(options, logFile, ['db:migrate']);
  medusaCli(options, logFile, ['user', '-e', ADMIN.email, '-p', ADMIN.password]);
  return (performance.now() - started) / 1000;
}

async function waitForHealth(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`medusa exited with ${child.exitCode}; see ${logFile}`);
    const ok = await fetch(`${url}/health`)
      .then((res) => res.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`medusa did not answer /health within 240 s; see ${logFile}`);
}

/**
 * Migrates the database and starts `medusa start` from the project's TypeScript (ts-node with swc), on a
 * loopback port; resolves once /health answers. `close` stops the server.
 */
export async function startMedusaServer(options: MedusaServerOptions): Promise<MedusaServer> {
  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'mamori-medusa-log-'));
  const logFile = join(logDir, 'medusa.log');
  const migrateSeconds = options.migrated ? 0 : migrate(options, logFile);
  const started = performance.now();
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [MEDUSA_CLI, 'start', '--host', '127.0.0.1', '--port', String(options.port)], {
    cwd: PROJECT_DIR,
    env: environment(options),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const url = `http://127.0.0.1:${options.port}`;
  const stop = () => child.exitCode === null && child.kill('SIGTERM');
  process.once('exit', stop);
  try {
    await waitForHealth(url, child, logFile);
  } catch (error) {
    stop();
    throw error;
  }
  return {
    url,
    logFile,
    timings: { migrateSeconds, startSeconds: (performance.now() - started) / 1000 },
    close: async () => {
      process.removeListener('exit', stop);
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}
