import { compiledOnce } from './compiled-query.ts';
import type { Executor } from './database.ts';

export interface ThrottleRow {
  failures: number;
  blockedUntil: string | null;
}

const twoThrottles = compiledOnce((db: Executor, first: string, second: string) =>
  db.selectFrom('sign_in_throttle').select(['key', 'failures', 'blocked_until']).where('key', 'in', [first, second]),
);

/** The account's and the client address's rows at once; missing keys are absent. */
export async function readThrottles(
  db: Executor,
  accountKey: string,
  addressKey: string,
): Promise<Map<string, ThrottleRow>> {
  const rows = await twoThrottles(db, accountKey, addressKey);
  return new Map(rows.map((row) => [row.key, { failures: Number(row.failures), blockedUntil: row.blocked_until }]));
}

/**
 * Counts one more consecutive failure in a single upsert; returns the new count. With `forgetBefore`,
 * a count whose last failure is older starts over at one.
 */
export async function countFailure(db: Executor, key: string, at: string, forgetBefore?: string): Promise<number> {
  const row = await db
    .insertInto('sign_in_throttle')
    .values({ key, failures: 1, last_failure_at: at })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        failures: forgetBefore
          ? eb
              .case()
              .when('sign_in_throttle.last_failure_at', '<', forgetBefore)
              .then(1)
              .else(eb('sign_in_throttle.failures', '+', 1))
              .end()
          : eb('sign_in_throttle.failures', '+', 1),
        last_failure_at: at,
      })),
    )
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
