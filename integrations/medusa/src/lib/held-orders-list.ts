import type { MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import type { Knex } from '@medusajs/framework/mikro-orm/knex';
import { HOLD_KEY, holdOf, type OrderHold } from './held-orders';

const MAX_LISTED = 200;

export interface HeldOrder {
  id: string;
  display_id: number;
  email: string | null;
  status: string;
  created_at: string;
  hold: OrderHold;
}

interface HeldRow {
  id: string;
  display_id: number;
  email: string | null;
  status: string;
  created_at: Date;
  metadata: Record<string, unknown> | null;
}

/**
 * The orders whose metadata holds them. Medusa's query cannot filter inside metadata, so this reads the
 * order table (a released order keeps the key with null, hence the JSON null test).
 */
export async function listHeldOrders(container: MedusaContainer): Promise<HeldOrder[]> {
  const pg = container.resolve<Knex>(ContainerRegistrationKeys.PG_CONNECTION);
  const rows: HeldRow[] = await pg('order')
    .select('id', 'display_id', 'email', 'status', 'created_at', 'metadata')
    .whereNull('deleted_at')
    .whereRaw(`jsonb_typeof(metadata -> ?) = 'object'`, [HOLD_KEY])
    .orderBy('created_at', 'desc')
    .limit(MAX_LISTED);
  return rows.flatMap((row) => {
    const hold = holdOf(row.metadata);
    return hold
      ? [
          {
            id: row.id,
            display_id: row.display_id,
            email: row.email,
            status: row.status,
            created_at: new Date(row.created_at).toISOString(),
            hold,
          },
        ]
      : [];
  });
}
