import type { Executor } from '../../store/database.ts';
import { listPendingDelayedChanges, settleDelayedChange } from '../../store/delayed-changes.ts';
import { voidTokens, voidTokensOfSessions } from '../../store/one-time-tokens.ts';
import { revokeAllSessions, revokeSession } from '../../store/sessions.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';

export type SessionsToEnd = { all: true; except?: string } | { one: string };

/**
 * Ends sessions and everything they asked for: the unused links they requested (an email change's
 * confirmation, above all) and the changes they have waiting on hold. A link an intruder's session
 * asked for must not outlive the intruder's session. Returns how many sessions ended.
 */
export async function endSessions(
  trx: Executor,
  deps: ServiceDeps,
  accountId: string,
  which: SessionsToEnd,
  reason: string,
): Promise<number> {
  const now = deps.clock.now().toISOString();
  const ended =
    'one' in which
      ? await revokeSession(trx, accountId, which.one, now, reason)
      : await revokeAllSessions(trx, accountId, now, reason, which.except);
  if (ended.length === 0) return 0;
  await voidTokensOfSessions(trx, accountId, ended, now);
  for (const held of await listPendingDelayedChanges(trx, accountId)) {
    const asking = (JSON.parse(held.origin) as RequestOrigin).sessionId;
    if (asking && ended.includes(asking)) await settleDelayedChange(trx, held.id, 'void', now);
  }
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
  for (const held of await listPendingDelayedChanges(trx, accountId)) {
    const asking = (JSON.parse(held.origin) as RequestOrigin).sessionId;
    if (!keepSessionId || asking !== keepSessionId) await settleDelayedChange(trx, held.id, 'void', now);
  }
}
