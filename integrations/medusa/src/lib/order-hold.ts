/**
 * The hold Mamori puts on an order, as kept in the order's metadata. No server imports: the admin
 * dashboard's widgets (src/admin) read it too.
 */
export interface OrderHold {
  request_id: string;
  since: string;
  reason: string;
}

export const HOLD_KEY = 'mamori_hold';

export const holdOf = (metadata: Record<string, unknown> | null | undefined): OrderHold | null => {
  const hold = metadata?.[HOLD_KEY];
  return hold && typeof hold === 'object' ? (hold as OrderHold) : null;
};
