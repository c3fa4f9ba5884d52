import { displayValue } from '../../core/change-display.ts';
import { maskEmail, maskPhone } from '../../core/email-address.ts';
import { addMs } from '../../core/clock.ts';
import { delayReason, type DelayableChangeKind, type DelayReason } from '../../core/risk/change-delay.ts';
import type { AccountRow } from '../../store/accounts.ts';
import { deviceStanding } from '../../store/devices.ts';
import { insertDelayedChange } from '../../store/delayed-changes.ts';
import type { NewAddress, NewPaymentMethod } from '../account/profile.ts';
import { actorFrom, originModel, recordChange } from '../account-log/change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { queueMail } from '../notices/mail-queue.ts';
import { issueLink } from '../notices/one-time-links.ts';
import { assessRisk, recordRiskDecision } from '../risk/assessment.ts';
import type { ActiveSession } from '../sessions/sessions.ts';

/** What a delayed change carries until it applies. A password change carries the new hash, never the password. */
export type DelayedChange =
  | { kind: 'password-change'; payload: { passwordHash: string; signOutOthers: boolean } }
  | { kind: 'email-change'; payload: { newEmail: string } }
  | { kind: 'phone-change'; payload: { phone: string | null } }
  | { kind: 'payment-method-added'; payload: NewPaymentMethod }
  | { kind: 'address-added'; payload: NewAddress };

/** The new value the owner sees in the notice and on the account page; none for a password. */
export function describeDelayedChange(change: DelayedChange): string | null {
  switch (change.kind) {
    case 'password-change':
      return null;
    case 'email-change':
      return maskEmail(change.payload.newEmail);
    case 'phone-change':
      return change.payload.phone ? maskPhone(change.payload.phone) : '-';
    case 'payment-method-added':
      return displayValue(change.kind, { brand: change.payload.brand, last4: change.payload.last4 }, 'owner');
    case 'address-added':
      return displayValue(
        change.kind,
        { postal_code: change.payload.postalCode, region: change.payload.region, city: change.payload.city },
        'owner',
      );
  }
}

/**
 * Should this sensitive change wait? The session's age on this browser, whether its sign-in was
 * challenged, and the risk engine's view of the change itself (scored and logged either way).
 */
export async function delayReasonFor(
  deps: ServiceDeps,
  account: AccountRow,
  session: ActiveSession,
  origin: RequestOrigin,
  kind: DelayableChangeKind,
): Promise<DelayReason | null> {
  if (deps.config.changeDelayMs <= 0) return null;
  const device = await deviceStanding(deps.db, account.id, session.deviceId);
  const assessment = await assessRisk(deps, account, origin, { action: 'sensitive-change', device });
  await recordRiskDecision(deps.db, deps, { accountId: account.id, action: `change:${kind}`, assessment, origin });
  return delayReason(
    {
      now: deps.clock.now(),
      sessionCreatedAt: session.createdAt,
      deviceFirstSeenAt: device.firstSeenAt ? new Date(device.firstSeenAt) : null,
      deviceIsAccountsFirst: device.isFirst,
      signInChallenged: session.challenged,
      changeRisk: assessment.decision,
    },
    deps.config.changeDelayMs,
  );
}

/** Delays the change: logged, and the current address gets a notice with a link that cancels it. */
export async function delayChange(
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  change: DelayedChange,
  reason: DelayReason,
): Promise<{ applyAt: string }> {
  const now = deps.clock.now();
  const applyAt = addMs(now, deps.config.changeDelayMs).toISOString();
  const id = deps.random.id();
  const display = describeDelayedChange(change);
  await deps.db.transaction().execute(async (trx) => {
    await insertDelayedChange(trx, {
      id,
      account_id: account.id,
      kind: change.kind,
      payload: JSON.stringify(change.payload),
      reason,
      origin: JSON.stringify(origin),
      created_at: now.toISOString(),
      apply_at: applyAt,
    });
    const cancelLink = await issueLink(trx, deps, {
      accountId: account.id,
      purpose: 'cancel-held-change',
      payload: { heldId: id },
      keepOthers: true,
      ttlMs: deps.config.changeDelayMs,
    });
    await recordChange(trx, deps, {
      accountId: account.id,
      kind: 'change-held',
      actor: actorFrom(origin),
      subjectId: id,
      after: { change: change.kind, reason, apply_at: applyAt },
    });
    await queueMail(trx, deps, {
      to: account.email,
      locale: account.locale,
      accountId: account.id,
      message: {
        template: 'change-held',
        model: {
          kind: change.kind,
          detail: display,
          applyAt,
          cancelLink,
          ...originModel(origin, now),
        },
      },
    });
  });
  deps.log.info({ event: 'change_held', accountId: account.id, kind: change.kind, reason }, 'change_held');
  deps.mailQueued();
  return { applyAt };
}
