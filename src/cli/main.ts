import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { composeMamori } from '../runtime/compose.ts';
import { DEMO_EMAIL, ensureDemoAccount } from '../services/account/demo-account.ts';
import { openStore } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { verifyAccountLogs } from '../services/account-log/change-log.ts';
import { resealStoredSecrets } from '../services/keys/key-rotation.ts';
import { secretBoxFor } from '../runtime/service-key.ts';
import { runDemo } from './demo/run.ts';
import { staffAdd } from './staff-add.ts';
import { staffResetPassword } from './staff-reset-password.ts';
import { clientCommand } from './client-commands.ts';
import { eventsCommand } from './event-commands.ts';
import { seedCommand } from './seed-command.ts';
import { importCommand } from './import-command.ts';
import { startExampleShop } from './example-shop.ts';
import { rotateSigningKey, RETIRED_KEY_PUBLISHED_MS } from '../services/oidc/signing-keys.ts';
import { cryptoRandom, systemClock } from '../runtime/clock.ts';

const USAGE = `Usage: mamori <command>

Commands:
  serve        start the web app and the mail worker (default)
  migrate      bring the database schema up to date
  log verify   check every account log's hash chain; name the first broken entry
  demo         replay the story (seed/STORY.md) on a throw-away store with a fake clock
  staff add    add a support desk member: --email … --name … [--role agent|admin] (the first is an admin)
  staff reset-password  a new password for a staff member (after 100 failed sign-ins): --email …
  keys rotate  a new token signing key (the old one stays published until its tokens expire), and
               every stored secret sealed anew under MAMORI_SECRET_KEY, so the keys listed in
               MAMORI_SECRET_KEY_PREVIOUS can be dropped (start the servers with both first)
  client add   let a shop sign customers in: --name … --redirect-uri … [--redirect-uri …]
               [--post-logout-redirect-uri …] [--backchannel-logout-uri …] [--first-party]
               prints the client id and its secret (shown once)
  client list | client remove --id … | client rotate-secret --id …
  seed         fill the store for the scale bench (development only, resumable):
               --accounts N [--changes M] [--batch B]
  import accounts FILE [--client ID] [--dry-run] [--keys KEYS.json]
               bring a shop's customers with their password hashes (JSON Lines or CSV; resumable)
  export accounts [FILE] [--client ID]  every account in the import schema (argon2id hashes)
  events status  each shop's security event stream (Shared Signals): enabled, paused or disabled,
               what waits and since when; exits 1 when a stream is failing
  help         show this text

Configuration comes from environment variables; see README.md.`;

const DEMO_CREDENTIALS_FILE = './data/demo-account.txt';

/** A readable random passphrase for the demo customer, kept beside the SQLite file for later starts. */
function demoPassword(): string {
  if (existsSync(DEMO_CREDENTIALS_FILE)) return readFileSync(DEMO_CREDENTIALS_FILE, 'utf8').trim();
  const words = [
    'sakura',
    'kumo',
    'umi',
    'yama',
    'kaze',
    'hoshi',
    'tsuki',
    'mori',
    'kawa',
    'sora',
    'hana',
    'yuki',
    'ame',
    'niji',
  ];
  const bytes = randomBytes(6);
  const password = Array.from(bytes.subarray(0, 5), (b) => words[b % words.length]).join('-') + `-${bytes[5]}`;
  mkdirSync(dirname(DEMO_CREDENTIALS_FILE), { recursive: true });
  writeFileSync(DEMO_CREDENTIALS_FILE, password, { mode: 0o600 });
  return password;
}

async function serve(config: Readonly<Config>): Promise<void> {
  const mamori = await composeMamori(config);
  let demo: string | null = null;
  if (config.demoAccount && config.databaseUrl.startsWith('sqlite:')) {
    const password = demoPassword();
    await ensureDemoAccount(mamori.deps, password);
    demo = password;
  }
  await mamori.app.listen({ host: config.host, port: config.port });
  const lines = [`Mamori is running at ${config.publicUrl}  (${config.mode}, ${mamori.store.kind})`];
  let shop: { url: string; close(): Promise<void> } | null = null;
  if (config.exampleShopPort !== null) {
    try {
      shop = await startExampleShop(mamori.deps, config, config.exampleShopPort);
      lines.push(`Example shop (signs in through Mamori): ${shop.url}`);
    } catch (error) {
      lines.push(
        `The example shop did not start (${error instanceof Error ? error.message : String(error)}); set MAMORI_EXAMPLE_SHOP_PORT to another port, or 0 for none.`,
      );
    }
  }
  if (config.mode === 'development' && !config.smtpUrl)
    lines.push(`Mail stays on this machine: ${config.publicUrl}/dev/mailbox`);
  if (demo) lines.push(`Demo customer: ${DEMO_EMAIL} / ${demo}`);
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
  const stop = async () => {
    await shop?.close();
    await mamori.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

async function migrate(config: Readonly<Config>): Promise<void> {
  const store = openStore(config.databaseUrl);
  try {
    const result = await migrateToLatest(store.db);
    const applied = result.results ?? [];
    process.stdout.write(
      applied.length === 0
        ? 'Schema is up to date.\n'
        : applied.map((r) => `${r.status}: ${r.migrationName}\n`).join(''),
    );
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'serve';
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: Readonly<Config>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  switch (command) {
    case 'serve':
      await serve(config);
      return -1;
    case 'migrate':
      await migrate(config);
      return 0;
    case 'log':
      if (argv[1] !== 'verify') break;
      return verifyLogs(config);
    case 'demo':
      return runDemo((line) => process.stdout.write(`${line}\n`));
    case 'keys':
      if (argv[1] !== 'rotate') break;
      return rotateKeys(config);
    case 'client':
      return clientCommand(config, argv.slice(1), (line) => process.stdout.write(`${line}\n`));
    case 'seed':
      return seedCommand(config, argv.slice(1), (line) => process.stdout.write(`${line}\n`));
    case 'import':
    case 'export':
      return importCommand(config, command, argv.slice(1), (line) => process.stdout.write(`${line}\n`));
    case 'events':
      return eventsCommand(config, argv.slice(1), (line) => process.stdout.write(`${line}\n`));
    case 'staff':
      if (argv[1] === 'add') return staffAdd(config, argv.slice(2), (line) => process.stdout.write(`${line}\n`));
      if (argv[1] === 'reset-password')
        return staffResetPassword(config, argv.slice(2), (line) => process.stdout.write(`${line}\n`));
      break;
    default:
      break;
  }
  process.stderr.write(`Unknown command "${argv.join(' ')}".\n\n${USAGE}\n`);
  return 2;
}

async function verifyLogs(config: Readonly<Config>): Promise<number> {
  const store = openStore(config.databaseUrl);
  try {
    await migrateToLatest(store.db);
    const result = await verifyAccountLogs(store.db, (done, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\rchecking account logs: ${done}/${total}`);
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.stdout.write(`${result.accounts} account logs, ${result.entries} entries checked.\n`);
    for (const b of result.broken)
      process.stdout.write(`BROKEN account ${b.accountId}: entry #${b.seq} (${b.id}): ${b.reason}\n`);
    if (result.broken.length === 0) process.stdout.write('Every chain is intact.\n');
    return result.broken.length === 0 ? 0 : 1;
  } finally {
    await store.close();
  }
}

async function rotateKeys(config: Readonly<Config>): Promise<number> {
  const labels = {
    authenticators: 'Authenticator seeds',
    staffAuthenticators: 'Staff authenticator seeds',
    shopClientSecrets: 'Shop client secrets',
    signingKeys: 'Token signing keys',
    streamAuthorizations: 'Security event push headers',
  } as const;
  const unreadableWhat = {
    authenticators: ['factor', 'seed'],
    staffAuthenticators: ['staff member', 'seed'],
    shopClientSecrets: ['shop client', 'secret'],
    signingKeys: ['signing key', 'private key'],
    streamAuthorizations: ['event stream', 'Authorization header'],
  } as const;
  const store = openStore(config.databaseUrl);
  try {
    await migrateToLatest(store.db);
    const secrets = secretBoxFor(config);
    const signing = await rotateSigningKey(store.db, {
      db: store.db,
      clock: systemClock,
      random: cryptoRandom,
      secrets,
    });
    process.stdout.write(
      `Token signing key ${signing.kid} signs from the next server start; ${signing.retired} older key(s) stay published for ${RETIRED_KEY_PUBLISHED_MS / 3_600_000} hours. Restart every server now.\n`,
    );
    const result = await resealStoredSecrets(store.db, secrets, (what, done) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${labels[what]}: ${done}`);
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    let unreadable = 0;
    for (const what of Object.keys(labels) as (keyof typeof labels)[]) {
      const count = result[what];
      process.stdout.write(
        `${labels[what]}: ${count.resealed} sealed anew under the current key, ${count.alreadyCurrent} already were.\n`,
      );
      for (const id of count.unreadable)
        process.stdout.write(
          `UNREADABLE ${unreadableWhat[what][0]} ${id}: no configured key opens its ${unreadableWhat[what][1]} (is a key missing from MAMORI_SECRET_KEY_PREVIOUS?)\n`,
        );
      unreadable += count.unreadable.length;
    }
    if (unreadable > 0) return 1;
    if (config.previousSecretKeys.length > 0)
      process.stdout.write('Nothing is sealed under a previous key now: MAMORI_SECRET_KEY_PREVIOUS can be removed.\n');
    return 0;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`mamori: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
