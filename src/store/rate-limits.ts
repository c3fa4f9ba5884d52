import { compiledOnce } from './compiled-query.ts';
import type { Executor } from './database.ts';

type HitRow = { key: string; hits: number | string; expires_at: string };
type CompiledPerCount<Row> = (db: Executor, ...params: string[]) => Promise<Row[]>;

/** A query whose SQL depends only on how many keys it names, compiled once for each such number. */
function perKeyCount<Row>(compile: (count: number) => CompiledPerCount<Row>) {
  const byCount = new Map<number, CompiledPerCount<Row>>();
  return (count: number) => {
    let run = byCount.get(count);
    if (!run) byCount.set(count, (run = compile(count)));
    return run;
  };
}

/**
 * Counts a hit against each key in a fixed window kept in the store, so every instance shares the count:
 * one upsert (one commit) for all of them. A new or expired window starts at 1, a live one is incremented.
 */
const hits = perKeyCount(() =>
  compiledOnce((db: Executor, now: string, windowEndsAt: string, ...keys: string[]) =>
    db
      .insertInto('rate_limits')
      .values(keys.map((key) => ({ key, hits: 1, expires_at: windowEndsAt })))
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
      .returning(['key', 'hits', 'expires_at']),
  ),
);

export async function countHit(
  db: Executor,
  key: string,
  now: string,
  windowEndsAt: string,
): Promise<{ hits: number; expiresAt: string }> {
  const [row] = await countHits(db, [key], now, windowEndsAt);
  if (!row) throw new Error('rate limit upsert returned no row');
  return { hits: row.hits, expiresAt: row.expiresAt };
}

/** Counts a hit against each of `keys` (distinct) at once; each key's count in its window and when that ends. */
export async function countHits(
  db: Executor,
  keys: readonly string[],
  now: string,
  windowEndsAt: string,
): Promise<{ key: string; hits: number; expiresAt: string }[]> {
  if (keys.length === 0) return [];
  const rows: HitRow[] = await hits(keys.length)(db, now, windowEndsAt, ...keys);
  if (rows.length !== keys.length) throw new Error('rate limit upsert returned a row short');
  return rows.map((row) => ({ key: row.key, hits: Number(row.hits), expiresAt: row.expires_at }));
}

const live = perKeyCount(() =>
  compiledOnce((db: Executor, now: string, ...keys: string[]) =>
    db
      .selectFrom('rate_limits')
      .select(['key', 'hits', 'expires_at'])
      .where('key', 'in', keys)
      .where('expires_at', '>', now),
  ),
);

/** The hits counted against each of `keys` in windows still live at `now`; a key with none is left out. */
export async function liveHits(
  db: Executor,
  keys: readonly string[],
  now: string,
): Promise<{ key: string; hits: number; expiresAt: string }[]> {
  if (keys.length === 0) return [];
  const rows: HitRow[] = await live(keys.length)(db, now, ...keys);
  return rows.map((row) => ({ key: row.key, hits: Number(row.hits), expiresAt: row.expires_at }));
}
