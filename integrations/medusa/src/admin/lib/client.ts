import Medusa from '@medusajs/js-sdk';
import type { HeldOrder } from '../../lib/held-orders-list';

/**
 * Medusa's JS SDK as its admin extensions use it: the dashboard's session cookie, and the backend the
 * dashboard was built for ("/" when Medusa serves the admin itself).
 */
const sdk = new Medusa({
  baseUrl: import.meta.env.VITE_BACKEND_URL || '/',
  auth: { type: 'session' },
});

/** The orders Mamori holds, newest first (`GET /admin/mamori/held-orders`, staff only). */
export async function fetchHeldOrders(): Promise<HeldOrder[]> {
  const { held_orders } = await sdk.client.fetch<{ held_orders: HeldOrder[] }>('/admin/mamori/held-orders');
  return held_orders;
}
