import type { Executor } from '../../store/database.ts';
import { listOidcClients } from '../../store/oidc-clients.ts';
import { listDeliveryAttempts, listLogoutDeliveriesForAccount, readLogoutOrder } from '../../store/outbox.ts';

/** One logout token queued for a shop, as support sees it: which shop, which sessions, every attempt. */
export interface ShopSignOut {
  id: string;
  /** The shop's registered name; its client id when the shop has since been removed. */
  shop: string;
  endpoint: string;
  /** Every session of the account at that shop, or only the one sign-in that ended. */
  scope: 'every' | 'one';
  status: string;
  queuedAt: string;
  deliveredAt: string | null;
  attempts: { at: string; ok: boolean; answer: string }[];
}

/** The shop sign-outs of an account, newest first (issue 14: "visible on the staff case view"). */
export async function listShopSignOuts(db: Executor, accountId: string, limit: number): Promise<ShopSignOut[]> {
  const [rows, clients] = await Promise.all([
    listLogoutDeliveriesForAccount(db, accountId, limit),
    listOidcClients(db),
  ]);
  const names = new Map(clients.map((c) => [c.client_id, c.name]));
  const attempts = await listDeliveryAttempts(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => {
    const order = readLogoutOrder(row.model);
    return {
      id: row.id,
      shop: names.get(order.clientId) ?? order.clientId,
      endpoint: row.recipient,
      scope: order.sid ? 'one' : 'every',
      status: row.status,
      queuedAt: row.created_at,
      deliveredAt: row.sent_at,
      attempts: attempts
        .filter((a) => a.outbox_id === row.id)
        .map((a) => ({ at: a.attempted_at, ok: a.ok === 1, answer: a.answer })),
    };
  });
}
