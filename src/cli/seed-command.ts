import type { Config } from '../config.ts';
import { PasswordHasher } from '../platform/password-hasher.ts';
import { SEED_PASSWORD, seedStore, type SeedPlan } from '../services/operations/seed.ts';
import { openStore } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';

const whole = (value: string | undefined, name: string, max: number): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new RangeError(`--${name} must be a whole number from 1 to ${max}`);
  return n;
};

function bar(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${((done / total) * 100).toFixed(1).padStart(5)}%`;
}

/**
 * `mamori seed --accounts 1000000 --changes 10000000 [--batch 1000]`: fills the store for the scale bench.
 * Resumable: run it again after a stop and it carries on from the last whole batch. Development only.
 */
export async function seedCommand(
  config: Readonly<Config>,
  args: string[],
  say: (line: string) => void,
): Promise<number> {
  if (config.mode === 'production') {
    process.stderr.write('mamori seed fills a store with made-up accounts: it refuses to run in production mode.\n');
    return 2;
  }
  const option = (name: string) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? args[at + 1] : undefined;
  };
  let plan: SeedPlan;
  try {
    const accounts = whole(option('accounts'), 'accounts', 100_000_000);
    plan = {
      accounts,
      changes: option('changes') === undefined ? accounts * 10 : whole(option('changes'), 'changes', 1_000_000_000),
      batch: option('batch') === undefined ? 1000 : whole(option('batch'), 'batch', 100_000),
    };
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const store = openStore(config.databaseUrl);
  try {
    await migrateToLatest(store.db);
    const passwordHash = await new PasswordHasher(config.argon2, config.hashConcurrency).hash(SEED_PASSWORD);
    const result = await seedStore({ db: store.db, passwordHash, now: new Date() }, plan, (p) => {
      const line = `${bar(p.accounts, plan.accounts)} accounts ${p.accounts.toLocaleString('en')}/${plan.accounts.toLocaleString('en')} · changes ${p.changes.toLocaleString('en')} · ${Math.round(p.rowsPerSecond).toLocaleString('en')} rows/s`;
      process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    say(
      `Seeded ${result.accounts.toLocaleString('en')} accounts and ${result.changes.toLocaleString('en')} changes${result.resumedAt > 0 ? ` (resumed after ${result.resumedAt.toLocaleString('en')})` : ''}. Every seeded account signs in with the password "${SEED_PASSWORD}".`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
