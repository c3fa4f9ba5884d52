import { HOUR_MS } from '../../core/clock.ts';
import { DomainError } from '../../core/errors.ts';
import { normalizeEmail } from '../../core/email-address.ts';
import { findAccountByEmail, lockAccountRow, updateAccount, type AccountRow } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import { findImportedPassword } from '../../store/imported-accounts.ts';
import { countTokensIssuedSince } from '../../store/one-time-tokens.ts';
import { actorFrom } from '../account-log/change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { queueMail } from '../notices/mail-queue.ts';
import { issueLink, LINK_PURPOSES, linkPayload, peekLink, useLink } from '../notices/one-time-links.ts';
import { recordSensitiveChange } from '../notices/security-notice.ts';
import { finishSignIn } from '../sign-in/finish.ts';
import { forgetImportedPassword } from '../sign-in/imported-password.ts';
import { noteSuccess } from '../sign-in/throttle.ts';
import { requireAccount } from './profile.ts';

const LINKS_PER_HOUR = 3;

/**
 * A customer a shop brought without a password (issue 26: hosted platforms never export hashes) asks for
 * a link to set one. Answered at once and the same for every address; the look-up and the mail happen
 * after the answer, and only an imported account that still has no password gets a link (three an hour).
 */
export function requestFirstPassword(deps: ServiceDeps, emailInput: string, returnTo?: string): void {
  const email = normalizeEmail(emailInput);
  deps.afterAnswer.run(() => sendFirstPasswordLink(deps, email, returnTo));
}

async function sendFirstPasswordLink(deps: ServiceDeps, email: string, returnTo?: string): Promise<void> {
  const queued = await deps.db.transaction().execute(async (trx) => {
    const account = await findAccountByEmail(trx, email);
    if (!account || !(await awaitsFirstPassword(trx, account))) return false;
    return mailFirstPasswordLink(trx, deps, account, returnTo);
  });
  if (queued) deps.mailQueued();
}

/** Issues and mails the link (at most three an hour per account); false when the hour's links are used up. */
export async function mailFirstPasswordLink(
  trx: Executor,
  deps: ServiceDeps,
  account: AccountRow,
  returnTo?: string,
): Promise<boolean> {
  // Requests for one address are answered at once and sent after: lock before counting, or they race.
  await lockAccountRow(trx, account.id);
  const since = new Date(deps.clock.now().getTime() - HOUR_MS).toISOString();
  if ((await countTokensIssuedSince(trx, account.id, 'first-password', since)) >= LINKS_PER_HOUR) return false;
  const link = await issueLink(trx, deps, {
    accountId: account.id,
    purpose: 'first-password',
    recipient: account.email,
    ...(returnTo ? { payload: { returnTo } } : {}),
  });
  await queueMail(trx, deps, {
    to: account.email,
    locale: account.locale,
    accountId: account.id,
    message: {
      template: 'first-password',
      model: { link, expiresMinutes: LINK_PURPOSES['first-password'].ttlMs / 60_000 },
    },
  });
  return true;
}

/** Imported without a hash and never given a password since; active, not contained. */
export async function awaitsFirstPassword(db: Executor, account: AccountRow): Promise<boolean> {
  if (account.status !== 'active' || account.password_hash || account.password_disabled_at) return false;
  const imported = await findImportedPassword(db, account.id);
  return imported !== undefined && imported.format === null;
}

/** The account a link is for, while it still waits for its first password; the link is not used. */
async function accountOfLink(deps: ServiceDeps, token: unknown): Promise<{ account: AccountRow; returnTo?: string }> {
  const row = await peekLink(deps, token, 'first-password');
  const account = await requireAccount(deps.db, row.account_id);
  if (!(await awaitsFirstPassword(deps.db, account))) throw new DomainError('TOKEN_INVALID');
  return { account, returnTo: linkPayload(row).returnTo };
}

export async function checkFirstPasswordLink(deps: ServiceDeps, token: unknown): Promise<void> {
  await accountOfLink(deps, token);
}

/**
 * Sets her first password from the link: the mailbox is proven, so the address counts as confirmed. The
 * link is used in the same transaction; nobody is signed in. Returns where her sign-in was going.
 */
export async function setFirstPassword(
  deps: ServiceDeps,
  token: unknown,
  newPassword: string,
  origin: RequestOrigin,
): Promise<{ returnTo?: string }> {
  const { account, returnTo } = await accountOfLink(deps, token);
  // Checked before the link is used, so a refused password does not burn it.
  deps.strength.assertAcceptable(newPassword, {
    shopName: deps.config.shopName,
    email: account.email,
    name: account.name,
  });
  const passwordHash = await deps.hasher.hash(newPassword);
  await deps.db.transaction().execute(async (trx) => {
    await useLink(trx, deps, token, 'first-password');
    await openWithoutPassword(trx, deps, account);
    await updateAccount(trx, account.id, { password_hash: passwordHash });
    await recordSensitiveChange(trx, deps, account, { kind: 'password-reset', actor: actorFrom(origin) });
    await noteSuccess(trx, account.email);
  });
  deps.mailQueued();
  return { returnTo };
}

/**
 * A passkey instead: the link signs this browser in (the mailbox is all an account without a password
 * has), and the passkey page is next. Returns the session token and where her sign-in was going.
 */
export async function signInForFirstPasskey(
  deps: ServiceDeps,
  token: unknown,
  origin: RequestOrigin,
): Promise<{ sessionToken: string; returnTo?: string }> {
  const { account, returnTo } = await accountOfLink(deps, token);
  const started = await deps.db.transaction().execute(async (trx) => {
    await useLink(trx, deps, token, 'first-password');
    await openWithoutPassword(trx, deps, account);
    return finishSignIn(trx, deps, account, origin, 'allow', 'mailed-code');
  });
  deps.mailQueued();
  return { sessionToken: started.token, returnTo };
}

/** The link proved the mailbox: the address is confirmed and the import's empty password entry is done. */
async function openWithoutPassword(trx: Executor, deps: ServiceDeps, account: AccountRow): Promise<void> {
  const now = deps.clock.now().toISOString();
  await updateAccount(trx, account.id, { email_verified_at: account.email_verified_at ?? now, updated_at: now });
  await forgetImportedPassword(trx, account.id);
}
