import { LOGOUT_CHANNEL } from '../../core/oidc/logout-token.ts';
import type { Executor } from '../../store/database.ts';
import { listOidcClients } from '../../store/oidc-clients.ts';
import {
  listDeliveryAttempts,
  listShopDeliveriesForAccount,
  readLogoutOrder,
  SSF_CHANNEL,
} from '../../store/outbox.ts';
import { listSsfStreams } from '../../store/ssf-streams.ts';
import { readQueuedEvent } from '../ssf/security-events.ts';

/** One message sent to a shop about the account, as support sees it: which shop, what, every attempt. */
export interface ShopDelivery {
  id: string;
  /** The shop's registered name; its client id when the shop has since been removed. */
  shop: string;
  /** Where it went: the shop's endpoint, or `poll` when the shop fetches its events. */
  endpoint: string;
  /** What it said: a logout of every session or of one sign-in, or the security event's name. */
  what: string;
  status: string;
  queuedAt: string;
  deliveredAt: string | null;
  attempts: { at: string; ok: boolean; answer: string }[];
}

/** A shop's security event stream that gave an event up after every retry. */
export interface FailingStream {
  shop: string;
  since: string;
}

/**
 * What the shops were told about an account, newest first (issue 14: logout tokens "visible on the staff
 * case view"; issue 15: security events), and the streams that are failing.
 */
export async function shopDeliveries(
  db: Executor,
  accountId: string,
  limit: number,
): Promise<{ signOuts: ShopDelivery[]; securityEvents: ShopDelivery[]; failingStreams: FailingStream[] }> {
  const [logouts, events, clients, streams] = await Promise.all([
    listShopDeliveriesForAccount(db, accountId, LOGOUT_CHANNEL, limit),
    listShopDeliveriesForAccount(db, accountId, SSF_CHANNEL, limit),
    listOidcClients(db),
    listSsfStreams(db),
  ]);
  const names = new Map(clients.map((c) => [c.client_id, c.name]));
  const streamsById = new Map(streams.map((s) => [s.id, s]));
  const attempts = await listDeliveryAttempts(
    db,
    [...logouts, ...events].map((r) => r.id),
  );
  const attemptsOf = (id: string) =>
    attempts.filter((a) => a.outbox_id === id).map((a) => ({ at: a.attempted_at, ok: a.ok === 1, answer: a.answer }));
  const base = (row: (typeof logouts)[number]) => ({
    id: row.id,
    status: row.status,
    queuedAt: row.created_at,
    deliveredAt: row.sent_at,
    attempts: attemptsOf(row.id),
  });
  return {
    signOuts: logouts.map((row) => {
      const order = readLogoutOrder(row.model);
      return {
        ...base(row),
        shop: names.get(order.clientId) ?? order.clientId,
        endpoint: row.recipient,
        what: order.sid ? 'logout-one' : 'logout-every',
      };
    }),
    securityEvents: events.map((row) => {
      const queued = readQueuedEvent(row.model);
      const stream = streamsById.get(row.recipient);
      return {
        ...base(row),
        shop: names.get(queued.audience) ?? queued.audience,
        endpoint: stream?.endpoint_url ?? 'poll',
        what: queued.event.name,
      };
    }),
    failingStreams: streams.flatMap((s) =>
      s.failing_since ? [{ shop: names.get(s.client_id) ?? s.client_id, since: s.failing_since }] : [],
    ),
  };
}
