import type { ICacheService, MedusaContainer } from '@medusajs/framework/types';
import { Modules } from '@medusajs/framework/utils';

const A_DAY = 24 * 3600;

/**
 * True the first time a token id (`jti`) is seen, false on a replay. Kept in Medusa's cache for a day:
 * logout tokens are refused after 5 minutes anyway, and SETs are acted on idempotently.
 */
export async function firstTimeSeen(container: MedusaContainer, kind: string, jti: string): Promise<boolean> {
  const cache = container.resolve<ICacheService>(Modules.CACHE);
  const key = `mamori:${kind}:${jti}`;
  if (await cache.get(key)) return false;
  await cache.set(key, { at: Date.now() }, A_DAY);
  return true;
}
