import { compiledOnce } from './compiled-query.ts';
import type { Executor } from './database.ts';

/**
 * Counts a hit in a fixed window kept in the store, so every instance shares the count. One upsert:
 * a new or expired window starts at 1, a live one is incremented.
 */
const hit = compiledOnce((db: Executor, key: string, now: string, windowEndsAt: string) =>
  db
    .insertInto('rate_limits')
    .values({ key, hits: 1, expires_at: windowEndsAt })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        hits: eb
          .case()
          .when('rate_limits.expires_at', '<=', now)
          .then(1)
          .else(eb('rate_limits.hits', '+', 1))
          .end(),
        expires_at: eb
          .case()
          .when('rate_limits.expires_at', '<=', now)
          .then(windowEndsAt)
          .else(eb.ref('rate_limits.expires_at'))
          .end(),
      })),
    )
    .returning(['hits', 'expires_at']),
);

export async function countHit(
  db: Executor,
  key: string,
  now: string,
  windowEndsAt: string,
): Promise<{ hits: number; expiresAt: string }> {
  const [row] = await hit(db, key, now, windowEndsAt);
  if (!row) throw new Error('rate limit upsert returned no row');
  return { hits: Number(row.hits), expiresAt: row.expires_at };
}

/**
 * Gives back hits counted in the windows that are still live: an attempt counted before it was judged turned
 * out not to be a failure. Never below zero; a window that ran out meanwhile is left alone.
 */
export async function refundHits(db: Executor, keys: readonly string[], now: string): Promise<void> {
  if (keys.length === 0) return;
  await db
    .updateTable('rate_limits')
    .set((eb) => ({ hits: eb('hits', '-', 1) }))
    .where('key', 'in', keys)
    .where('hits', '>', 0)
    .where('expires_at', '>', now)
    .execute();
}
