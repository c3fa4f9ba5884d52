import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { RateLimitCounter } from '../services/rate-limits/counter.ts';

/**
 * @fastify/rate-limit store backed by the database, so limits hold across instances and restarts
 * (DESIGN 1), and time comes from the injected clock.
 */
export function databaseRateLimitStore(count: RateLimitCounter): FastifyRateLimitStoreCtor {
  class DatabaseRateLimitStore implements FastifyRateLimitStore {
    private readonly windowMs: number;
    constructor(
      options: { timeWindow?: unknown },
      private readonly prefix = 'global',
    ) {
      this.windowMs = typeof options.timeWindow === 'number' ? options.timeWindow : 60_000;
    }
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void): void {
      count(`${this.prefix}:${key}`, this.windowMs).then(
        ({ hits, ttlMs }) => callback(null, { current: hits, ttl: ttlMs }),
        (error: Error) => callback(error),
      );
    }
    /**
     * Each limited route counts on its own, keyed by method and path, or by its `groupId` when routes share
     * one count. At run time the plugin passes its merged route parameters (with `routeInfo`), not the
     * RouteOptions its typings declare.
     */
    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      const merged = routeOptions as unknown as {
        timeWindow?: unknown;
        groupId?: unknown;
        routeInfo?: { method?: string | string[]; url?: string };
      };
      const prefix =
        typeof merged.groupId === 'string'
          ? `group ${merged.groupId}`
          : `${String(merged.routeInfo?.method ?? '')} ${merged.routeInfo?.url ?? ''}`;
      return new DatabaseRateLimitStore(merged, prefix);
    }
  }
  return DatabaseRateLimitStore;
}
