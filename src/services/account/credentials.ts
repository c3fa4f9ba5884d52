import { maskEmail, normalizeEmail } from '../../core/email-address.ts';
import { DomainError } from '../../core/errors.ts';
import { addMs } from '../../core/clock.ts';
import { findAccountByEmail, updateAccount, type AccountRow } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import { delayReasonFor, delayChange } from '../delayed-changes/delay.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { queueMail } from '../notices/mail-queue.ts';
import { issueLink, linkPayload, peekLink, useLink } from '../notices/one-time-links.ts';
import { requireAccount } from './profile.ts';
import { actorFrom } from '../account-log/change-log.ts';
import { recordSensitiveChange } from '../notices/security-notice.ts';
import { endSessions, voidPendingUnderOldPassword } from '../sessions/end-sessions.ts';
import { refreshAuthentication, type ActiveSession } from '../sessions/sessions.ts';
import { assertCurrentPassword } from '../sign-in/password-check.ts';
import { hasSecondFactor } from '../second-factors/totp.ts';

/**
 * Changing the password needs the current one (STANDARDS A6). Other sessions end unless the person
 * chooses to keep them; this one gets a new token. Returns that token.
 */
export async function changePassword(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  input: { currentPassword: string; newPassword: string; signOutOthers: boolean },
): Promise<{ held: false; token: string } | { held: true; applyAt: string }> {
  const account = await assertCurrentPassword(deps, session.accountId, input.currentPassword, origin);
  const hasFactor = await hasSecondFactor(deps.db, account.id);
  deps.strength.assertAcceptable(input.newPassword, {
    shopName: deps.config.shopName,
    email: account.email,
    name: account.name,
    hasSecondFactor: hasFactor,
  });
  const payload = { passwordHash: await deps.hasher.hash(input.newPassword), signOutOthers: input.signOutOthers };
  const reason = await delayReasonFor(deps, account, session, origin, 'password-change');
  if (reason)
    return { held: true, ...(await delayChange(deps, account, origin, { kind: 'password-change', payload }, reason)) };
  const token = await deps.db.transaction().execute(async (trx) => {
    await applyPasswordChange(trx, deps, account, origin, payload);
    return refreshAuthentication(trx, deps, session);
  });
  deps.mailQueued();
  return { held: false, token };
}

/** Sets the new password (already hashed); the asking session (origin.sessionId) is the one that stays signed in. */
export async function applyPasswordChange(
  trx: Executor,
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  payload: { passwordHash: string; signOutOthers: boolean },
): Promise<void> {
  const now = deps.clock.now();
  await updateAccount(trx, account.id, {
    password_hash: payload.passwordHash,
    password_disabled_at: null,
    irreversible_hold_until: irreversibleHoldUntil(deps, now),
    // A new password meets the policy: an imported one's upgrade is done (issue 26).
    password_upgrade: null,
    updated_at: now.toISOString(),
  });
  if (payload.signOutOthers)
    await endSessions(trx, deps, account.id, { all: true, except: origin.sessionId ?? undefined }, 'password-changed');
  await voidPendingUnderOldPassword(trx, deps, account.id, origin.sessionId ?? null);
  await recordSensitiveChange(trx, deps, account, { kind: 'password-changed', actor: actorFrom(origin) });
}

/** After an email or password change, irreversible actions wait (DESIGN 2 C step 6); the shop reads this from the API. */
export function irreversibleHoldUntil(deps: ServiceDeps, now: Date): string | null {
  return deps.config.irreversibleHoldMs > 0 ? addMs(now, deps.config.irreversibleHoldMs).toISOString() : null;
}

/**
 * An email change takes effect only when the new address confirms it. The current address is told
 * at once, so an attacker's change is announced to the person it would hurt.
 */
export async function requestEmailChange(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  input: { newEmail: string; currentPassword: string },
): Promise<{ held: false } | { held: true; applyAt: string }> {
  const account = await assertCurrentPassword(deps, session.accountId, input.currentPassword, origin);
  const newEmail = normalizeEmail(input.newEmail);
  if (newEmail === account.email)
    throw new DomainError('EMAIL_UNCHANGED', { fields: [{ field: 'newEmail', code: 'EMAIL_UNCHANGED' }] });
  const reason = await delayReasonFor(deps, account, session, origin, 'email-change');
  if (reason)
    return {
      held: true,
      ...(await delayChange(deps, account, origin, { kind: 'email-change', payload: { newEmail } }, reason)),
    };
  await deps.db.transaction().execute((trx) => applyEmailChangeRequest(trx, deps, account, origin, newEmail));
  deps.mailQueued();
  return { held: false };
}

/** Sends the confirmation to the new address and tells the current one. */
export async function applyEmailChangeRequest(
  trx: Executor,
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  newEmail: string,
): Promise<void> {
  // The confirmation may come from another device; the change is still the requesting session's act.
  const link = await issueLink(trx, deps, {
    accountId: account.id,
    purpose: 'confirm-email-change',
    payload: { newEmail, sessionId: origin.sessionId ?? '', deviceId: origin.deviceId ?? '' },
    recipient: newEmail,
    sessionId: origin.sessionId ?? null,
  });
  await queueMail(trx, deps, {
    to: newEmail,
    locale: account.locale,
    accountId: account.id,
    message: {
      template: 'confirm-email-change',
      model: { link, oldEmailMasked: maskEmail(account.email), expiresHours: 24 },
    },
  });
  await recordSensitiveChange(trx, deps, account, {
    kind: 'email-change-requested',
    actor: actorFrom(origin),
    before: { email: account.email },
    after: { email: newEmail },
  });
}

export async function checkEmailChangeLink(deps: ServiceDeps, token: unknown): Promise<{ newEmail: string }> {
  const row = await peekLink(deps, token, 'confirm-email-change');
  return { newEmail: linkPayload(row).newEmail ?? '' };
}

export async function confirmEmailChange(deps: ServiceDeps, token: unknown, origin: RequestOrigin): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await useLink(trx, deps, token, 'confirm-email-change');
    const { newEmail, sessionId, deviceId } = linkPayload(row);
    if (!newEmail) throw new DomainError('TOKEN_INVALID');
    const account = await requireAccount(trx, row.account_id);
    if (await findAccountByEmail(trx, newEmail)) throw new DomainError('EMAIL_UNAVAILABLE');
    const now = deps.clock.now().toISOString();
    await updateAccount(trx, account.id, {
      email: newEmail,
      email_verified_at: now,
      irreversible_hold_until: irreversibleHoldUntil(deps, new Date(now)),
      updated_at: now,
    });
    // The old address is the one an attacker's change would hurt: it gets the notice.
    await recordSensitiveChange(trx, deps, account, {
      kind: 'email-changed',
      actor: actorFrom({ ...origin, sessionId: sessionId || null, deviceId: deviceId || null }),
      before: { email: account.email },
      after: { email: newEmail },
      notifyTo: account.email,
    });
  });
  deps.mailQueued();
}
