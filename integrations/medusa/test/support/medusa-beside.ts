import pg from 'pg';
import { addClient } from '../../../../src/services/oidc/clients.ts';
import { FakeClock } from '../../../../src/runtime/clock.ts';
import { startCluster, type PgCluster } from '../../../../test/support/postgres.ts';
import { freePort } from '../../../../test/support/loopback.ts';
import { startIssuer } from '../../../../test/support/oidc.ts';
import type { TestMamori } from '../../../../test/support/harness.ts';
import { startMedusaServer, type MedusaServer } from '../../scripts/medusa-server.ts';

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

/** A Medusa database: a copy of MEDUSA_TEMPLATE_DATABASE_URL's (already migrated), or an empty one on a new cluster. */
async function medusaDatabase(): Promise<{ url: string; migrated: boolean; cluster: PgCluster | null }> {
  const template = process.env.MEDUSA_TEMPLATE_DATABASE_URL;
  if (!template) {
    const cluster = await startCluster();
    return { url: await cluster.newDatabaseUrl(), migrated: false, cluster };
  }
  const source = new URL(template);
  const name = `medusa_copy_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: template.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${source.pathname.slice(1)}`);
  await admin.end();
  source.pathname = `/${name}`;
  return { url: source.href, migrated: true, cluster: null };
}

/** Mamori (the story's settings, a live clock) and a Medusa server registered with it as a first-party client. */
export async function mamoriAndMedusa(env: Record<string, string>): Promise<MedusaWorld> {
  const m = await startIssuer('sqlite', env, { clock: new LiveClock() });
  const port = await freePort();
  const medusaUrl = `http://127.0.0.1:${port}`;
  const { client, clientSecret } = await addClient(m.deps, {
    name: 'Maple Market (Medusa)',
    redirectUris: [CALLBACK],
    postLogoutRedirectUris: [`${STOREFRONT}/`],
    backchannelLogoutUri: `${medusaUrl}/mamori/backchannel-logout`,
    firstParty: true,
  });
  const database = await medusaDatabase();
  const medusa = await startMedusaServer({
    databaseUrl: database.url,
    migrated: database.migrated,
    port,
    issuer: m.issuer,
    clientId: client.clientId,
    clientSecret,
    callbackUrl: CALLBACK,
  }).catch(async (error: unknown) => {
    database.cluster?.stop();
    await m.close();
    throw error;
  });
  return {
    m,
    medusa,
    clientId: client.clientId,
    async close() {
      await medusa.close();
      database.cluster?.stop();
      await m.close();
    },
  };
}
