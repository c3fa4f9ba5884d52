import { commitAlone, type Commit } from '../../store/group-commit.ts';
import { countHits, liveHits } from '../../store/rate-limits.ts';
import type { ServiceDeps } from '../deps.ts';

export interface CheckedAttempt {
  /** Null while every key is within its budget; otherwise how long until the last full window ends. */
  retryAfterMs: number | null;
  /** The attempt turned out wrong: it is counted against every key, durably, before this settles. */
  failed(): Promise<void>;
}

/** Reads the budget of several keys at once (a client and an address); refused if any is spent. */
export interface CheckedFirstBudget {
  (keys: readonly string[]): Promise<CheckedAttempt>;
  /** The same judgement from counts read at `readAt` by another statement (joined into a read the request makes anyway). */
  judged(keys: readonly string[], live: readonly LiveHit[], readAt: Date): CheckedAttempt;
}

type LiveHit = { hits: number; expiresAt: string };

/**
 * A number of failures allowed per key in a fixed window, counted in the store so every instance shares
 * it (DESIGN 1). The budget is read before the attempt is judged and written only when it turns out
 * wrong, so a right attempt costs one read (counting every attempt first and giving a right one's count
 * back cost two writes). The price: wrong attempts judged side by side each see the count from before
 * any of them failed, so a burst can be judged past the limit by as many as are in flight at once (on
 * every instance). Only for a guess that such a margin cannot help, a secret of 256 random bits, never a
 * password (the sign-in throttle is its own). A refused attempt is never judged, so it says nothing about
 * the guess and counts nothing. `commit` runs the count: a group commit lets a busy endpoint's counts
 * share commits with its other writes.
 */
export function checkedFirstFailureBudget(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  limit: number,
  windowMs: number,
  commit: Commit = commitAlone(deps.db),
): CheckedFirstBudget {
  const judged = (asked: readonly string[], live: readonly LiveHit[], readAt: Date): CheckedAttempt => {
    let retryAfterMs: number | null = null;
    for (const { hits, expiresAt } of live)
      if (hits >= limit) retryAfterMs = Math.max(retryAfterMs ?? 0, new Date(expiresAt).getTime() - readAt.getTime());
    const failed = () => {
      const keys = [...new Set(asked)];
      const at = deps.clock.now();
      const windowEndsAt = new Date(at.getTime() + windowMs).toISOString();
      return commit(async (trx) => void (await countHits(trx, keys, at.toISOString(), windowEndsAt)));
    };
    return { retryAfterMs, failed };
  };
  const read = async (asked: readonly string[]) => {
    const now = deps.clock.now();
    return judged(asked, await liveHits(deps.db, [...new Set(asked)], now.toISOString()), now);
  };
  return Object.assign(read, { judged });
}
