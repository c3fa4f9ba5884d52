import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Clock } from '../core/clock.ts';
import type { Db } from '../store/database.ts';
import { countHit } from '../store/rate-limits.ts';

/**
 * @fastify/rate-limit store backed by the database, so limits hold across instances and restarts
 * (DESIGN 1), and time comes from the injected clock.
 */
export function databaseRateLimitStore(db: Db, clock: Clock): FastifyRateLimitStoreCtor {
  class DatabaseRateLimitStore implements FastifyRateLimitStore {
    private readonly windowMs: number;
    constructor(
      options: { timeWindow?: unknown },
      private readonly prefix = 'global',
    ) {
      this.windowMs = typeof options.timeWindow === 'number' ? options.timeWindow : 60_000;
    }
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void): void {
      const now = clock.now();
      const windowEndsAt = new Date(now.getTime() + this.windowMs).toISOString();
      countHit(db, `${this.prefix}:${key}`, now.toISOString(), windowEndsAt).then(
        ({ hits, expiresAt }) => callback(null, { current: hits, ttl: Math.max(0, new Date(expiresAt).getTime() - now.getTime()) }),
        (error: Error) => callback(error),
      );
    }
    child(routeOptions: { timeWindow?: unknown; path?: string; url?: string; method?: string | string[] }): FastifyRateLimitStore {
      return new DatabaseRateLimitStore(routeOptions, `${String(routeOptions.method)} ${routeOptions.url ?? routeOptions.path ?? ''}`);
    }
  }
  return DatabaseRateLimitStore;
}
