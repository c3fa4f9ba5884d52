import { maskEmail, normalizeEmail } from '../core/email-address.ts';
import { DomainError } from '../core/errors.ts';
import { findAccountByEmail, updateAccount } from '../store/accounts.ts';
import { revokeAllSessions } from '../store/sessions.ts';
import type { RequestOrigin, ServiceDeps } from './deps.ts';
import { queueMail } from './mail-queue.ts';
import { issueLink, linkPayload, peekLink, useLink } from './one-time-links.ts';
import { requireAccount } from './profile.ts';
import { actorFrom } from './change-log.ts';
import { recordSensitiveChange } from './security-notice.ts';
import { refreshAuthentication, type ActiveSession } from './sessions.ts';
import { assertCurrentPassword } from './sign-in.ts';
import { hasSecondFactor } from './two-step.ts';

/**
 * Changing the password needs the current one (STANDARDS A6). Other sessions end unless the person
 * chooses to keep them; this one gets a new token. Returns that token.
 */
export async function changePassword(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  input: { currentPassword: string; newPassword: string; signOutOthers: boolean },
): Promise<string> {
  const account = await assertCurrentPassword(deps, session.accountId, input.currentPassword);
  const hasFactor = await hasSecondFactor(deps.db, account.id);
  deps.strength.assertAcceptable(input.newPassword, { shopName: deps.config.shopName, email: account.email, name: account.name, hasSecondFactor: hasFactor });
  const passwordHash = await deps.hasher.hash(input.newPassword);
  const token = await deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now().toISOString();
    await updateAccount(trx, account.id, { password_hash: passwordHash, password_disabled_at: null, updated_at: now });
    if (input.signOutOthers) await revokeAllSessions(trx, account.id, now, 'password-changed', session.id);
    await recordSensitiveChange(trx, deps, account, { kind: 'password-changed', actor: actorFrom(origin) });
    return refreshAuthentication(trx, deps, session);
  });
  deps.mailQueued();
  return token;
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
): Promise<void> {
  const account = await assertCurrentPassword(deps, session.accountId, input.currentPassword);
  const newEmail = normalizeEmail(input.newEmail);
  if (newEmail === account.email) throw new DomainError('EMAIL_UNCHANGED', { fields: [{ field: 'newEmail', code: 'EMAIL_UNCHANGED' }] });
  await deps.db.transaction().execute(async (trx) => {
    // The confirmation may come from another device; the change is still the requesting session's act.
    const link = await issueLink(trx, deps, {
      accountId: account.id,
      purpose: 'confirm-email-change',
      payload: { newEmail, sessionId: session.id, deviceId: origin.deviceId ?? '' },
    });
    await queueMail(trx, deps, {
      to: newEmail,
      locale: account.locale,
      accountId: account.id,
      message: { template: 'confirm-email-change', model: { link, oldEmailMasked: maskEmail(account.email), expiresHours: 24 } },
    });
    await recordSensitiveChange(trx, deps, account, {
      kind: 'email-change-requested',
      actor: actorFrom(origin),
      before: { email: account.email },
      after: { email: newEmail },
    });
  });
  deps.mailQueued();
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
    await updateAccount(trx, account.id, { email: newEmail, email_verified_at: now, updated_at: now });
    // The old address is the one an attacker's change would hurt: it gets the notice.
    await recordSensitiveChange(trx, deps, account, {
      kind: 'email-changed',
      actor: actorFrom({ ...origin, sessionId: sessionId ?? null, deviceId: deviceId || null }),
      before: { email: account.email },
      after: { email: newEmail },
      notifyTo: account.email,
    });
  });
  deps.mailQueued();
}
