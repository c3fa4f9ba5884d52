import { loadConfig } from '../../../src/config.ts';
import { composeMamori } from '../../../src/runtime/compose.ts';
import { addClient, findClientByName, removeClient } from '../../../src/services/oidc/clients.ts';
import { startCluster } from '../../../test/support/postgres.ts';
import { freePort } from '../../../test/support/loopback.ts';
import { ADMIN, startMedusaServer } from './medusa-server.ts';
import { seedStore } from './store-api.ts';
import { startStorefront } from './storefront.ts';

/**
 * `npm run example:medusa`: Mamori in development (its own SQLite file under data/), a throw-away
 * PostgreSQL cluster, a real Medusa server registered with Mamori as a client, a store set up through
 * Medusa's admin API, and a one-page storefront. Ctrl-C stops everything and removes the cluster.
 */
const CLIENT_NAME = 'Maple Market (Medusa example)';
const STOREFRONT_PORT = Number(process.env.MEDUSA_STOREFRONT_PORT ?? 8000);
const storefrontUrl = `http://localhost:${STOREFRONT_PORT}`;
const callbackUrl = `${storefrontUrl}/account/mamori/callback`;

const config = loadConfig({
  MAMORI_DATABASE_URL: 'sqlite:./data/medusa-example.sqlite',
  MAMORI_EXAMPLE_SHOP_PORT: '0',
  MAMORI_LOG_LEVEL: 'warn',
  ...process.env,
});
const mamori = await composeMamori(config);
await mamori.app.listen({ host: config.host, port: config.port });
const medusaPort = await freePort();
const medusaUrl = `http://127.0.0.1:${medusaPort}`;
const registration = {
  redirectUris: [callbackUrl],
  postLogoutRedirectUris: [`${storefrontUrl}/`],
  backchannelLogoutUri: `${medusaUrl}/mamori/backchannel-logout`,
  firstParty: true,
};
// The Medusa port changes every run, so the client is registered afresh (its old registration removed).
const existing = await findClientByName(mamori.deps, CLIENT_NAME);
if (existing) await removeClient(mamori.deps, existing.clientId);
const { client, clientSecret } = await addClient(mamori.deps, { name: CLIENT_NAME, ...registration });

const cluster = await startCluster();
process.stdout.write('Migrating a new Medusa database (about a minute)…\n');
const medusa = await startMedusaServer({
  databaseUrl: await cluster.newDatabaseUrl(),
  port: medusaPort,
  issuer: config.publicUrl,
  clientId: client.clientId,
  clientSecret,
  callbackUrl,
});
const store = await seedStore(medusa.url);
const storefront = startStorefront(medusa.url, store, STOREFRONT_PORT);
process.stdout.write(
  [
    '',
    `Mamori: ${config.publicUrl} (mail: ${config.publicUrl}/dev/mailbox)`,
    `Medusa: ${medusa.url} (admin ${ADMIN.email} / ${ADMIN.password}; publishable key ${store.publishableKey}; log ${medusa.logFile})`,
    `Storefront: ${storefront.url}: sign up at Mamori, then "Sign in with Mamori"`,
    `Took: migrate ${medusa.timings.migrateSeconds.toFixed(0)} s, start ${medusa.timings.startSeconds.toFixed(0)} s`,
    '',
  ].join('\n'),
);
const stop = async () => {
  await storefront.close();
  await medusa.close();
  cluster.stop();
  await mamori.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
