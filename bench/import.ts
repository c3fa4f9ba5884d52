// Issue 26 figures, each against a baseline measured in the same run, bounded by count:
//   a. import throughput (accounts/s, no hashing at import) on SQLite and PostgreSQL (durable defaults):
//      IMPORT_ROWS mixed rows of every format through importAccounts, vs bare multi-row INSERTs of the same
//      number of rows into `accounts` alone in the same batches (the least one row per account costs).
//   b. the first sign-in with an imported bcrypt hash (the sign-in service: throttles, bcrypt, re-hash to
//      argon2id, session) vs a bare @node-rs/bcrypt verify of the same hash.
//   c. a wrong password for an imported account (bcrypt, and an unstretched salted digest) vs one for an
//      unknown address, alternating, each attempt from its own network address: the median difference.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify as bcryptVerify } from '@node-rs/bcrypt';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { MemoryMailer } from '../src/delivery/memory-mailer.ts';
import { composeMamori, type Mamori } from '../src/runtime/compose.ts';
import { IMPORT_BATCH, importAccounts } from '../src/services/import/import-accounts.ts';
import { signIn } from '../src/services/sign-in/password-step.ts';
import { legacyCustomers, mixedImportRows, type LegacyCustomer } from '../test/support/import-fixtures.ts';
import { postgresUnavailable, startCluster } from '../test/support/postgres.ts';
import { median } from './stats.ts';

const ROWS = Number(process.env.IMPORT_ROWS ?? 20_000);
const SIGN_INS = Number(process.env.IMPORT_SIGN_INS ?? 30);
const GAP_SAMPLES = Number(process.env.IMPORT_GAP_SAMPLES ?? 60);
const SHOP = 'bench-shop';
const { customers, keys } = legacyCustomers();

async function mamori(databaseUrl: string): Promise<Mamori> {
  const config = loadConfig({
    MAMORI_DATABASE_URL: databaseUrl,
    MAMORI_LOG_LEVEL: 'silent',
    MAMORI_DEMO_ACCOUNT: 'false',
  });
  return composeMamori(config, { mailer: new MemoryMailer(), workerIntervalMs: 0, log: pino({ level: 'silent' }) });
}

const lines = (rows: Record<string, unknown>[]) => rows.map((value, i) => ({ line: i + 1, value }));

/** Accounts per second through the importer, and through bare INSERTs of as many `accounts` rows. */
export async function importRates(databaseUrl: string): Promise<{ imported: number; bare: number }> {
  const m = await mamori(databaseUrl);
  try {
    const rows = mixedImportRows(ROWS, customers);
    let started = performance.now();
    const report = await importAccounts(m.deps, lines(rows), { clientId: SHOP, dryRun: false, keys });
    const imported = report.imported / ((performance.now() - started) / 1000);
    if (report.imported !== ROWS) throw new Error(`imported ${report.imported} of ${ROWS}`);
    const now = new Date().toISOString();
    started = performance.now();
    for (let i = 0; i < ROWS; i += IMPORT_BATCH)
      await m.deps.db.transaction().execute(async (trx) => {
        const batch = Array.from({ length: Math.min(IMPORT_BATCH, ROWS - i) }, (_, k) => ({
          id: `bare-${i + k}`,
          email: `bare${i + k}@example.com`,
          email_verified_at: now,
          password_hash: null,
          password_disabled_at: null,
          name: 'Hana Sato',
          phone: null,
          locale: 'en',
          status: 'active',
          created_at: now,
          updated_at: now,
          log_seq: 1,
          log_head: 'x'.repeat(64),
        }));
        for (let k = 0; k < batch.length; k += 400)
          await trx
            .insertInto('accounts')
            .values(batch.slice(k, k + 400))
            .execute();
      });
    const bare = ROWS / ((performance.now() - started) / 1000);
    return { imported, bare };
  } finally {
    await m.close();
  }
}

const origin = (n: number) => ({
  ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
  userAgent: 'bench',
  deviceId: null,
});

/** Milliseconds of one call, whether it signs in or is refused (refusals are the point of figure c). */
async function timed(run: () => Promise<unknown>, expectRefusal: boolean): Promise<number> {
  const started = performance.now();
  try {
    await run();
    if (expectRefusal) throw new Error('a wrong password signed in');
  } catch (error) {
    if (!expectRefusal || !/INVALID_CREDENTIALS/.test(String(error))) throw error;
  }
  return performance.now() - started;
}

async function signInFigures(dir: string): Promise<{ ok: boolean }> {
  const m = await mamori(`sqlite:${join(dir, 'sign-in.sqlite')}`);
  try {
    const bcrypt = customers.find((c) => c.format === 'bcrypt') as LegacyCustomer;
    const digest =
      customers.find((c) => c.format === 'sha256-salt-password') ??
      (customers.find((c) => c.format.includes('salt')) as LegacyCustomer);
    const copies = (c: LegacyCustomer, tag: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ ...c, shopCustomerId: `${tag}${i}`, email: `${tag}${i}@bench.example` }));
    const signingIn = copies(bcrypt, 'first', SIGN_INS);
    const wrongBcrypt = copies(bcrypt, 'wrong', GAP_SAMPLES);
    const wrongDigest = copies(digest, 'digest', GAP_SAMPLES);
    const all = [...signingIn, ...wrongBcrypt, ...wrongDigest].map((c) => ({
      shopCustomerId: c.shopCustomerId,
      email: c.email,
      emailVerified: true,
      password: { format: c.format, hash: c.hash, ...(c.salt === undefined ? {} : { salt: c.salt }) },
    }));
    await importAccounts(m.deps, lines(all), { clientId: SHOP, dryRun: false, keys });
    await m.deps.hasher.verify(null, 'warm the dummy hash');
    let client = 0;

    // b. First sign-ins (each migrates its hash), interleaved with bare verifies of the same hash.
    const signInMs: number[] = [];
    const bareMs: number[] = [];
    for (const c of signingIn) {
      bareMs.push(await timed(() => bcryptVerify(bcrypt.password, bcrypt.hash), false));
      signInMs.push(
        await timed(() => signIn(m.deps, { email: c.email, password: c.password }, origin(++client)), false),
      );
    }
    const migrated = await m.deps.db
      .selectFrom('imported_passwords')
      .select('account_id')
      .where('hash', 'like', '$2%')
      .execute();
    if (migrated.length !== wrongBcrypt.length) throw new Error('not every measured sign-in migrated its hash');
    console.log(`\nimported bcrypt (${bcrypt.hash.slice(0, 7)}…), ${SIGN_INS} first sign-ins   median ms`);
    console.log(`  bare @node-rs/bcrypt verify (baseline)           ${median(bareMs).toFixed(1).padStart(7)}`);
    console.log(
      `  sign-in service, first sign-in (bcrypt → argon2id) ${median(signInMs).toFixed(1).padStart(5)}   ratio ${(median(signInMs) / median(bareMs)).toFixed(2)}`,
    );

    // c. Wrong passwords: imported account vs unknown address, alternating.
    let ok = true;
    console.log(
      `\nwrong password, imported vs unknown address (x${GAP_SAMPLES} each, medians)   imported   unknown   |diff|   target`,
    );
    for (const [label, accounts] of [
      ['bcrypt', wrongBcrypt],
      [digest.format, wrongDigest],
    ] as const) {
      const imported: number[] = [];
      const unknown: number[] = [];
      for (const [i, c] of accounts.entries()) {
        const wrong = { email: c.email, password: 'not the right passphrase' };
        const nobody = { email: `nobody-${label}-${i}@bench.example`, password: 'not the right passphrase' };
        const pair = [
          async () => imported.push(await timed(() => signIn(m.deps, wrong, origin(++client)), true)),
          async () => unknown.push(await timed(() => signIn(m.deps, nobody, origin(++client)), true)),
        ];
        for (const run of i % 2 === 0 ? pair : [...pair].reverse()) await run();
      }
      const diff = Math.abs(median(imported) - median(unknown));
      ok &&= diff < 10;
      console.log(
        `  ${label.padEnd(58)} ${median(imported).toFixed(1).padStart(7)} ms ${median(unknown).toFixed(1).padStart(7)} ms ${diff.toFixed(1).padStart(6)} ms   < 10 ms`,
      );
    }
    return { ok };
  } finally {
    await m.close();
  }
}

export async function benchImport(): Promise<{ ok: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-import-'));
  try {
    console.log(
      `\nimport throughput: ${ROWS.toLocaleString('en')} mixed rows (every format), no hashing     accounts/s`,
    );
    const sqlite = await importRates(`sqlite:${join(dir, 'import.sqlite')}`);
    console.log(`  SQLite: bare INSERTs into accounts (baseline)           ${sqlite.bare.toFixed(0).padStart(8)}`);
    console.log(
      `  SQLite: mamori import                                   ${sqlite.imported.toFixed(0).padStart(8)}   ratio ${(sqlite.imported / sqlite.bare).toFixed(2)}`,
    );
    let ok = true;
    if (postgresUnavailable) console.log(`  PostgreSQL: skipped (${postgresUnavailable})`);
    else {
      const cluster = await startCluster({ durable: true });
      try {
        const pg = await importRates(await cluster.newDatabaseUrl());
        ok = pg.imported >= 10_000;
        console.log(`  PostgreSQL: bare INSERTs into accounts (baseline)       ${pg.bare.toFixed(0).padStart(8)}`);
        console.log(
          `  PostgreSQL: mamori import                               ${pg.imported.toFixed(0).padStart(8)}   ratio ${(pg.imported / pg.bare).toFixed(2)}   target ≥ 10,000/s`,
        );
      } finally {
        cluster.stop();
      }
    }
    const signIns = await signInFigures(dir);
    return { ok: ok && signIns.ok };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ok } = await benchImport();
  process.exit(ok ? 0 : 1);
}
