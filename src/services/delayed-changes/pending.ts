import { DomainError } from '../../core/errors.ts';
import type { DelayReason } from '../../core/risk/change-delay.ts';
import {
  findDelayedChange,
  listDueDelayedChanges,
  listPendingDelayedChanges,
  settleDelayedChange,
  type DelayedChangeRow,
} from '../../store/delayed-changes.ts';
import { findAccountById } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import { actorFrom, recordChange } from '../account-log/change-log.ts';
import { applyEmailChangeRequest, applyPasswordChange } from '../account/credentials.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { describeDelayedChange, type DelayedChange } from './delay.ts';
import { linkPayload, peekLink, useLink } from '../notices/one-time-links.ts';
import { endSessions } from '../sessions/end-sessions.ts';
import { applyAddress, applyPaymentMethod, applyPhoneChange, requireAccount } from '../account/profile.ts';
import { sessionStillLive, type ActiveSession } from '../sessions/sessions.ts';

function heldChangeOf(row: DelayedChangeRow): DelayedChange {
  return { kind: row.kind, payload: JSON.parse(row.payload) } as DelayedChange;
}

export interface DelayedChangeView {
  id: string;
  kind: DelayedChange['kind'];
  detail: string | null;
  reason: DelayReason;
  requestedAt: string;
  applyAt: string;
}

function toView(row: DelayedChangeRow): DelayedChangeView {
  const change = heldChangeOf(row);
  return {
    id: row.id,
    kind: change.kind,
    detail: describeDelayedChange(change),
    reason: row.reason as DelayReason,
    requestedAt: row.created_at,
    applyAt: row.apply_at,
  };
}

export async function pendingDelayedChanges(deps: ServiceDeps, accountId: string): Promise<DelayedChangeView[]> {
  return (await listPendingDelayedChanges(deps.db, accountId)).map(toView);
}

async function applyOne(trx: Executor, deps: ServiceDeps, row: DelayedChangeRow): Promise<void> {
  const account = await requireAccount(trx, row.account_id);
  const origin = JSON.parse(row.origin) as RequestOrigin;
  const change = heldChangeOf(row);
  switch (change.kind) {
    case 'password-change':
      return applyPasswordChange(trx, deps, account, origin, change.payload);
    case 'email-change':
      return applyEmailChangeRequest(trx, deps, account, origin, change.payload.newEmail);
    case 'phone-change':
      return applyPhoneChange(trx, deps, account, origin, change.payload.phone);
    case 'payment-method-added':
      return applyPaymentMethod(trx, deps, account, origin, change.payload);
    case 'address-added':
      return applyAddress(trx, deps, account, origin, change.payload);
  }
}

/** Run by the worker's tick: changes whose delay has passed take effect, each in its own transaction. */
export async function applyDueDelayedChanges(deps: ServiceDeps): Promise<number> {
  const now = deps.clock.now().toISOString();
  const due = await listDueDelayedChanges(deps.db, now, 50);
  let applied = 0;
  for (const row of due) {
    const account = await findAccountById(deps.db, row.account_id);
    const done = await deps.db.transaction().execute(async (trx) => {
      // A change waits on behalf of the session that asked for it: if that session has ended, so has the change.
      const asking = (JSON.parse(row.origin) as RequestOrigin).sessionId;
      const live = account?.status === 'active' && (!asking || (await sessionStillLive(trx, deps, asking)));
      if (!(await settleDelayedChange(trx, row.id, live ? 'applied' : 'void', now))) return false;
      if (!live) return false;
      await applyOne(trx, deps, row);
      return true;
    });
    if (done) applied += 1;
  }
  if (applied > 0) deps.mailQueued();
  return applied;
}

/** The cancel link's page: what is waiting. Changes nothing. */
export async function checkCancelLink(deps: ServiceDeps, token: unknown): Promise<DelayedChangeView> {
  const row = await peekLink(deps, token, 'cancel-held-change');
  const held = await findDelayedChange(deps.db, linkPayload(row).heldId ?? '');
  if (!held || held.settled_at) throw new DomainError('TOKEN_INVALID');
  return toView(held);
}

/** Cancels from the mailed link (no sign-in needed): the change never happens and the asking session ends. */
export async function cancelDelayedChangeByLink(
  deps: ServiceDeps,
  token: unknown,
  origin: RequestOrigin,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const link = await useLink(trx, deps, token, 'cancel-held-change');
    await cancel(trx, deps, link.account_id, linkPayload(link).heldId ?? '', origin);
  });
}

/** Cancels from the account page. */
export async function cancelDelayedChange(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  heldId: string,
): Promise<void> {
  await deps.db.transaction().execute((trx) => cancel(trx, deps, session.accountId, heldId, origin));
}

async function cancel(
  trx: Executor,
  deps: ServiceDeps,
  accountId: string,
  heldId: string,
  origin: RequestOrigin,
): Promise<void> {
  const held = await findDelayedChange(trx, heldId);
  const now = deps.clock.now().toISOString();
  if (!held || held.account_id !== accountId || !(await settleDelayedChange(trx, held.id, 'cancelled', now)))
    throw new DomainError('NOT_FOUND');
  const asking = (JSON.parse(held.origin) as RequestOrigin).sessionId;
  // The session that asked for a change its owner cancels is not the owner's.
  if (asking && asking !== origin.sessionId)
    await endSessions(trx, deps, accountId, { one: asking }, 'held-change-cancelled');
  await recordChange(trx, deps, {
    accountId,
    kind: 'held-change-cancelled',
    actor: actorFrom(origin),
    subjectId: held.id,
    before: { change: held.kind },
  });
  deps.log.info({ event: 'held_change_cancelled', accountId, kind: held.kind }, 'held_change_cancelled');
}
