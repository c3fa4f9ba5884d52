import { startCluster } from '../../../test/support/postgres.ts';
import { freePort } from '../../../test/support/loopback.ts';
import { migrate, startMedusaServer } from './medusa-server.ts';

/**
 * Proves Medusa runs here and says how long it takes: a throw-away PostgreSQL cluster, migrations, and
 * `medusa start` on a loopback port, against the Mamori named in MAMORI_ISSUER (discovery is fetched only
 * at the first sign-in, so Medusa starts without it). Ctrl-C stops the server and removes the cluster.
 */
const cluster = await startCluster();
const databaseUrl = await cluster.newDatabaseUrl();
if (process.argv.includes('--template')) {
  // For working on the integration: a migrated database the test copies instead of migrating its own.
  const started = performance.now();
  migrate(
    {
      databaseUrl,
      port: 9,
      issuer: 'http://localhost:3000',
      clientId: '-',
      clientSecret: '-',
      callbackUrl: 'http://localhost:8000/',
    },
    '/dev/stderr',
  );
  process.stdout.write(
    `MEDUSA_TEMPLATE_DATABASE_URL=${databaseUrl} (migrated in ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  process.once('SIGINT', () => {
    cluster.stop();
    process.exit(0);
  });
  process.once('SIGTERM', () => {
    cluster.stop();
    process.exit(0);
  });
  await new Promise(() => undefined);
}
const port = Number(process.env.MEDUSA_PORT ?? (await freePort()));
const server = await startMedusaServer({
  databaseUrl,
  port,
  issuer: process.env.MAMORI_ISSUER ?? 'http://localhost:3000',
  clientId: process.env.MAMORI_CLIENT_ID ?? 'medusa-not-registered',
  clientSecret: process.env.MAMORI_CLIENT_SECRET ?? 'medusa-not-registered',
  callbackUrl: process.env.MAMORI_CALLBACK_URL ?? 'http://localhost:8000/callback',
});
process.stdout.write(
  `Medusa at ${server.url} (migrate ${server.timings.migrateSeconds.toFixed(1)} s, start ${server.timings.startSeconds.toFixed(1)} s); log ${server.logFile}\n`,
);
const shutdown = () =>
  void server.close().finally(() => {
    cluster.stop();
    process.exit(0);
  });
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
