import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { POLL_DELIVERY, PUSH_DELIVERY } from '../../../../src/core/ssf/security-events.ts';
import { addClient } from '../../../../src/services/oidc/clients.ts';
import { FakeClock } from '../../../../src/runtime/clock.ts';
import { startCluster, type PgCluster } from '../../../../test/support/postgres.ts';
import { freePort } from '../../../../test/support/loopback.ts';
import { startIssuer } from '../../../../test/support/oidc.ts';
import type { StoreName, TestMamori } from '../../../../test/support/harness.ts';
import { migrate, startMedusaServer, type MedusaServer } from '../../scripts/medusa-server.ts';

/**
 * Mamori's clock for a test beside a real Medusa: it reads the system time (Medusa checks tokens against
 * it) and still moves forward when a test waits out hours.
 */
export class LiveClock extends FakeClock {
  private offset = 0;
  override now(): Date {
    return new Date(Date.now() + this.offset);
  }
  override advance(ms: number): void {
    this.offset += ms;
  }
}

export const STOREFRONT = 'http://localhost:8000';
export const CALLBACK = `${STOREFRONT}/account/mamori/callback`;

export interface MedusaWorld {
  m: TestMamori & { issuer: string };
  medusa: MedusaServer;
  clientId: string;
  close(): Promise<void>;
}

let template: Promise<{ url: string; cluster: PgCluster | null }> | null = null;

/**
 * One migrated Medusa database per test file (or MEDUSA_TEMPLATE_DATABASE_URL's, made by
 * `scripts/start-dev.ts --template`), copied for each suite: migrating is most of the cost.
 */
function templateDatabase(logDir: string) {
  template ??= (async () => {
    const given = process.env.MEDUSA_TEMPLATE_DATABASE_URL;
    if (given) return { url: given, cluster: null };
    const cluster = await startCluster();
    const url = await cluster.newDatabaseUrl();
    const unused = 'http://127.0.0.1:9';
    migrate(
      { databaseUrl: url, port: 9, issuer: unused, clientId: '-', clientSecret: '-', callbackUrl: CALLBACK },
      join(logDir, 'migrate.log'),
    );
    return { url, cluster };
  })();
  return template;
}

/** Stops the cluster the template database was made on, if this file made one. */
export async function stopTemplateCluster(): Promise<void> {
  const made = await template?.catch(() => null);
  made?.cluster?.stop();
  template = null;
}

/** A fresh copy of the migrated template, for one Medusa server. */
async function medusaDatabase(logDir: string): Promise<string> {
  const source = new URL((await templateDatabase(logDir)).url);
  const name = `medusa_copy_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: source.href.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${source.pathname.slice(1)}`);
  await admin.end();
  source.pathname = `/${name}`;
  return source.href;
}

export interface WorldOptions {
  /**
   * Mamori cannot reach Medusa, as behind a firewall: nothing answers at the back-channel logout URI, and
   * Medusa polls its events (MAMORI_SSF_DELIVERY=poll).
   */
  unreachable?: boolean;
  /** More of Medusa's environment. */
  medusaEnv?: Record<string, string>;
  /** Hooks on Mamori's app (a test's man in the middle), added before it listens. */
  beforeListen?: (m: TestMamori) => void;
}

/** Waits, boundedly, for what Medusa does in its own time (a job, a subscriber, its start-up). */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  logFile: string,
  withinMs = 60_000,
): Promise<void> {
  for (let waited = 0; waited < withinMs; waited += 100) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen within ${withinMs / 1000} s; see ${logFile}`);
}

/**
 * Medusa opens its event stream at Mamori once it has started (after /health answers), and Mamori queues
 * events for the store only from then on: a test starts once the stream is there, delivered as asked.
 */
const streamOpened = (m: TestMamori, deliveryMethod: string, logFile: string) =>
  until(
    `Medusa's ${deliveryMethod} stream at Mamori`,
    async () =>
      (await m.deps.db.selectFrom('ssf_streams').select('delivery_method').executeTakeFirst())?.delivery_method ===
      deliveryMethod,
    logFile,
  );

/** Mamori (the story's settings, a live clock) and a Medusa server registered with it as a first-party client. */
export async function mamoriAndMedusa(
  store: StoreName,
  env: Record<string, string>,
  options: WorldOptions = {},
): Promise<MedusaWorld> {
  const m = await startIssuer(store, env, { clock: new LiveClock() }, options.beforeListen);
  const port = await freePort();
  const medusaUrl = `http://127.0.0.1:${port}`;
  // Registered even when unreachable: Mamori names the sign-in (`sid`) in ID tokens only to a client with
  // a back-channel logout URI, and Medusa's order reports need it.
  const receiverUrl = options.unreachable ? `http://127.0.0.1:${await freePort()}` : medusaUrl;
  const { client, clientSecret } = await addClient(m.deps, {
    name: 'Maple Market (Medusa)',
    redirectUris: [CALLBACK],
    postLogoutRedirectUris: [`${STOREFRONT}/`],
    backchannelLogoutUri: `${receiverUrl}/mamori/backchannel-logout`,
    firstParty: true,
  });
  const logDir = mkdtempSync(join(tmpdir(), 'mamori-medusa-log-'));
  const databaseUrl = await medusaDatabase(logDir).catch(async (error: unknown) => {
    await m.close();
    throw error;
  });
  const medusa = await startMedusaServer({
    databaseUrl,
    migrated: true,
    logDir,
    port,
    issuer: m.issuer,
    clientId: client.clientId,
    clientSecret,
    callbackUrl: CALLBACK,
    env: { ...(options.unreachable ? { MAMORI_SSF_DELIVERY: 'poll' } : {}), ...options.medusaEnv },
  }).catch(async (error: unknown) => {
    await m.close();
    throw error;
  });
  await streamOpened(m, options.unreachable ? POLL_DELIVERY : PUSH_DELIVERY, medusa.logFile).catch(
    async (error: unknown) => {
      await medusa.close();
      await m.close();
      throw error;
    },
  );
  return {
    m,
    medusa,
    clientId: client.clientId,
    async close() {
      await medusa.close();
      await m.close();
    },
  };
}
