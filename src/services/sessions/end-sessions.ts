import type { Executor } from '../../store/database.ts';
import { listPendingDelayedChanges, settleDelayedChange } from '../../store/delayed-changes.ts';
import { voidTokens } from '../../store/one-time-tokens.ts';
import { revokeAllSessions, revokeSession } from '../../store/sessions.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { endShopSessions } from '../oidc/shop-logout.ts';
import { queueSecurityEvents } from '../ssf/security-events.ts';

export type SessionsToEnd = { all: true; except?: string } | { one: string };

/**
 * Ends sessions, their sign-ins at the shops (OpenID grants and tokens, logout tokens queued, and when
 * every session ends a `session-revoked` security event, with the incident as `txn`), and the
 * changes they have waiting for their delay (the account page stops listing them at once). The links they asked for die with them too: every link is checked against the session that
 * asked for it when it is read (notices/one-time-links.ts). Returns how many sessions ended.
 */
export async function endSessions(
  trx: Executor,
  deps: ServiceDeps,
  accountId: string,
  which: SessionsToEnd,
  reason: string,
  event: { initiatingEntity: 'user' | 'admin'; txn?: string } = { initiatingEntity: 'user' },
): Promise<number> {
  const now = deps.clock.now().toISOString();
  const ended =
    'one' in which
      ? await revokeSession(trx, accountId, which.one, now, reason)
      : await revokeAllSessions(trx, accountId, now, reason, which.except);
  // Ending every session ends every shop sign-in and token, even one whose Mamori session already ran out
  // (a shop's refresh token outlives it); the session kept by a password change is no exception there.
  const shopLogouts = await endShopSessions(
    trx,
    deps,
    accountId,
    'all' in which ? { every: true } : { sessionIds: ended },
  );
  // Every session gone, none kept: the shops' streams hear it (CAEP session-revoked, about the account).
  const everySession = 'all' in which && !which.except;
  const events = everySession
    ? await queueSecurityEvents(trx, deps, [
        { event: { name: 'session-revoked', accountId, initiatingEntity: event.initiatingEntity }, txn: event.txn },
      ])
    : 0;
  if (shopLogouts + events > 0) deps.mailQueued();
  if (ended.length === 0) return 0;
  await voidDelayedChanges(trx, accountId, now, (asking) => asking !== null && ended.includes(asking));
  return ended.length;
}

/**
 * A new password (changed, reset or recovered) voids what was pending under the old one: email-change
 * confirmations, reset links, and changes on hold from any session but the one making the change.
 */
export async function voidPendingUnderOldPassword(
  trx: Executor,
  deps: ServiceDeps,
  accountId: string,
  keepSessionId: string | null,
): Promise<void> {
  const now = deps.clock.now().toISOString();
  await voidTokens(trx, accountId, ['confirm-email-change', 'reset-password'], now);
  await voidDelayedChanges(trx, accountId, now, (asking) => !keepSessionId || asking !== keepSessionId);
}

/** Voids the account's waiting changes whose asking session the predicate picks. */
async function voidDelayedChanges(
  trx: Executor,
  accountId: string,
  now: string,
  pick: (askingSessionId: string | null) => boolean,
): Promise<void> {
  for (const held of await listPendingDelayedChanges(trx, accountId)) {
    if (pick((JSON.parse(held.origin) as RequestOrigin).sessionId ?? null))
      await settleDelayedChange(trx, held.id, 'void', now);
  }
}
