import type { AuthenticatedMedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { listHeldOrders } from '../../../../lib/held-orders-list';

/** For the store's staff: the orders held at an account owner's request, newest first, with why and since when. */
export async function GET(req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<void> {
  res.json({ held_orders: await listHeldOrders(req.scope) });
}
