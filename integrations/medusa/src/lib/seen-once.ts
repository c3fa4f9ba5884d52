import type { ICacheService, MedusaContainer } from '@medusajs/framework/types';
import { Modules } from '@medusajs/framework/utils';

const A_DAY = 24 * 3600;

/**
 * Runs `act` the first time a token id (`jti`) arrives and never again for a replay, or for the same SET
 * pushed and polled. The id is kept in Medusa's cache for a day (logout tokens are refused after 5
 * minutes anyway, and SETs are acted on idempotently); when `act` fails the id is let go, so the event
 * is carried out when it comes again. True when `act` ran.
 */
export async function actOnce(
  container: MedusaContainer,
  kind: string,
  jti: string,
  act: () => Promise<unknown>,
): Promise<boolean> {
  const cache = container.resolve<ICacheService>(Modules.CACHE);
  const key = `mamori:${kind}:${jti}`;
  if (await cache.get(key)) return false;
  await cache.set(key, { at: Date.now() }, A_DAY);
  try {
    await act();
  } catch (error) {
    await cache.invalidate(key);
    throw error;
  }
  return true;
}
