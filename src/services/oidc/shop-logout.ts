import { LOGOUT_CHANNEL, type LogoutOrder } from '../../core/oidc/logout-token.ts';
import type { Executor } from '../../store/database.ts';
import { listOidcClientsWithBackchannel } from '../../store/oidc-clients.ts';
import {
  destroyOidcGrant,
  destroyOidcPayload,
  destroyOidcPayloadsOfAccount,
  findOidcSessionByUid,
  listOidcPayloadsOfAccount,
} from '../../store/oidc-payloads.ts';
import { oidcSessionUidsOf, unlinkOidcSessions } from '../../store/oidc-session-links.ts';
import { insertOutboxRow } from '../../store/outbox.ts';
import type { ServiceDeps } from '../deps.ts';

interface ProviderSession {
  accountId?: string;
  authorizations?: Record<string, { sid?: string; grantId?: string }>;
}

/**
 * Whatever ends Mamori sessions ends the shops' too, in the same transaction (issue 14): the provider's
 * grants, codes, tokens and sessions go, and each shop that takes back-channel logout gets a logout token
 * through the outbox, one per shop session that ends, each with the `sid` its ID token carried. Shops are
 * registered with `backchannel_logout_session_required` (clients.ts), so a token always names the session
 * (OpenID Connect Back-Channel Logout 1.0 §2.4); a shop hears only of sessions signed in to it.
 * Every session of the account: every provider session's sign-ins. Some sessions: only the shops
 * those signed into. Returns how many logout tokens were queued.
 */
export async function endShopSessions(
  trx: Executor,
  deps: Pick<ServiceDeps, 'clock' | 'random'>,
  accountId: string,
  which: { every: true } | { sessionIds: readonly string[] },
): Promise<number> {
  const orders: Omit<LogoutOrder, 'jti'>[] = [];
  if ('every' in which) {
    // A grant whose provider session has already ended (its 14 days ran out, as the shop's ID token's
    // session did) has no sign-in left to name: its tokens go with the grant, no logout token is owed.
    const sessions = await listOidcPayloadsOfAccount(trx, accountId, ['Session']);
    for (const row of sessions) orders.push(...signInsOf(row.payload, accountId));
    await destroyOidcPayloadsOfAccount(trx, accountId);
    await unlinkOidcSessions(trx, { accountId });
  } else {
    const uids = await oidcSessionUidsOf(trx, which.sessionIds);
    for (const uid of uids) {
      const row = await findOidcSessionByUid(trx, uid);
      if (!row) continue;
      const session = JSON.parse(row.payload) as ProviderSession;
      for (const { grantId } of Object.values(session.authorizations ?? {}))
        if (grantId) await destroyOidcGrant(trx, grantId);
      orders.push(...signInsOf(row.payload, accountId));
      await destroyOidcPayload(trx, 'Session', row.id);
    }
    await unlinkOidcSessions(trx, { uids });
  }
  return queueLogoutTokens(trx, deps, accountId, orders);
}

/** One provider session's sign-ins at the shops: each shop and the `sid` its ID tokens carry. */
function signInsOf(payload: string, accountId: string): Omit<LogoutOrder, 'jti'>[] {
  const session = JSON.parse(payload) as ProviderSession;
  return Object.entries(session.authorizations ?? {}).flatMap(([clientId, { sid }]) =>
    sid ? [{ clientId, sub: accountId, sid }] : [],
  );
}

/** One logout token per order, to shops that take back-channel logout; returns how many were queued. */
async function queueLogoutTokens(
  trx: Executor,
  deps: Pick<ServiceDeps, 'clock' | 'random'>,
  accountId: string,
  orders: Omit<LogoutOrder, 'jti'>[],
): Promise<number> {
  const now = deps.clock.now().toISOString();
  const clients = new Map(
    (await listOidcClientsWithBackchannel(trx, [...new Set(orders.map((o) => o.clientId))])).map((c) => [
      c.client_id,
      c,
    ]),
  );
  let queued = 0;
  for (const order of orders) {
    const uri = clients.get(order.clientId)?.backchannel_logout_uri;
    if (!uri) continue;
    queued += 1;
    const jti = deps.random.id();
    await insertOutboxRow(
      trx,
      {
        id: jti,
        channel: LOGOUT_CHANNEL,
        account_id: accountId,
        recipient: uri,
        locale: '',
        template: 'logout-token',
        model: JSON.stringify({ ...order, jti } satisfies LogoutOrder),
      },
      now,
    );
  }
  return queued;
}

/** A logout the provider itself decides (a shop's "sign out" confirmed at Mamori), queued like the rest. */
export async function queueProviderLogout(
  deps: Pick<ServiceDeps, 'db' | 'clock' | 'random' | 'mailQueued'>,
  order: Omit<LogoutOrder, 'jti'>,
): Promise<void> {
  const queued = await deps.db.transaction().execute((trx) => queueLogoutTokens(trx, deps, order.sub, [order]));
  if (queued > 0) deps.mailQueued();
}
