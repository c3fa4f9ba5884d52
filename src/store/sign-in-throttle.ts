import type { Executor } from './database.ts';

export interface ThrottleRow {
  failures: number;
  blockedUntil: string | null;
}

export async function readThrottle(db: Executor, key: string): Promise<ThrottleRow> {
  const row = await db.selectFrom('sign_in_throttle').select(['failures', 'blocked_until']).where('key', '=', key).executeTakeFirst();
  return { failures: Number(row?.failures ?? 0), blockedUntil: row?.blocked_until ?? null };
}

/** Counts one more consecutive failure in a single upsert; returns the new count. */
export async function countFailure(db: Executor, key: string, at: string): Promise<number> {
  const row = await db
    .insertInto('sign_in_throttle')
    .values({ key, failures: 1, last_failure_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ failures: eb('sign_in_throttle.failures', '+', 1), last_failure_at: at })))
    .returning('failures')
    .executeTakeFirstOrThrow();
  return Number(row.failures);
}

export async function setBlockedUntil(db: Executor, key: string, until: string | null): Promise<void> {
  await db.updateTable('sign_in_throttle').set({ blocked_until: until }).where('key', '=', key).execute();
}

/** A success resets the count for that account (STANDARDS C3). */
export async function clearThrottle(db: Executor, key: string): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('key', '=', key).execute();
}
