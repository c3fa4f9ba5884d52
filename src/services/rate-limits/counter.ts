import { countHit } from '../../store/rate-limits.ts';
import type { ServiceDeps } from '../deps.ts';

export type RateLimitCounter = (key: string, windowMs: number) => Promise<{ hits: number; ttlMs: number }>;

/** Hits per key and window, counted in the store so every instance shares them (DESIGN 1); time from the injected clock. */
export function rateLimitCounter(deps: Pick<ServiceDeps, 'db' | 'clock'>): RateLimitCounter {
  return async (key, windowMs) => {
    const now = deps.clock.now();
    const { hits, expiresAt } = await countHit(
      deps.db,
      key,
      now.toISOString(),
      new Date(now.getTime() + windowMs).toISOString(),
    );
    return { hits, ttlMs: Math.max(0, new Date(expiresAt).getTime() - now.getTime()) };
  };
}
