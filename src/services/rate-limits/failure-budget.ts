import { commitAlone, type Commit } from '../../store/group-commit.ts';
import { countHits, refundHits } from '../../store/rate-limits.ts';
import type { ServiceDeps } from '../deps.ts';

export interface JudgedAttempt {
  /** Null while every key is within its budget; otherwise how long until the last full window ends. */
  retryAfterMs: number | null;
  /** The attempt turned out right: it gives back what it counted. A failure keeps its count; a refused one is given back already. */
  succeeded(): Promise<void>;
}

/** Counts an attempt against several keys at once (a client and an address); refused if any is spent. */
export type FailureBudget = (keys: readonly string[]) => Promise<JudgedAttempt>;

/**
 * A number of failures allowed per key in a fixed window, counted in the store so every instance shares
 * it (DESIGN 1). Each attempt is counted before it is judged, with the store's atomic upsert, and a right
 * one gives its count back: a burst of guesses sent side by side cannot all pass a check made before any
 * of them had failed (STYLE 7). A refused attempt is never judged, so it says nothing about the guess.
 * `commit` runs its writes: a group commit lets a busy endpoint's counts share commits with its other writes.
 */
export function failureBudget(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  limit: number,
  windowMs: number,
  commit: Commit = commitAlone(deps.db),
): FailureBudget {
  return async (asked) => {
    const keys = [...new Set(asked)];
    const now = deps.clock.now();
    const nowIso = now.toISOString();
    const windowEndsAt = new Date(now.getTime() + windowMs).toISOString();
    let retryAfterMs: number | null = null;
    // Every key in one statement: an attempt costs one write to count and, if right, one to give back.
    let counted: Awaited<ReturnType<typeof countHits>> = [];
    await commit(async (trx) => {
      counted = await countHits(trx, keys, nowIso, windowEndsAt);
    });
    for (const { hits, expiresAt } of counted)
      if (hits > limit) retryAfterMs = Math.max(retryAfterMs ?? 0, new Date(expiresAt).getTime() - now.getTime());
    const giveBack = () => commit((trx) => refundHits(trx, keys, deps.clock.now().toISOString()));
    // A refused attempt is not judged, so it is no failure: a client waiting out its window does not also
    // spend its address's budget (or the other way round) by trying again.
    if (retryAfterMs !== null) await giveBack();
    return { retryAfterMs, succeeded: giveBack };
  };
}
