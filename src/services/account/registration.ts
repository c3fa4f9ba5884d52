import type { Locale } from '../../config.ts';
import { DomainError } from '../../core/errors.ts';
import { normalizeEmail } from '../../core/email-address.ts';
import { findAccountByEmail, insertAccount, updateAccount } from '../../store/accounts.ts';
import type { ServiceDeps } from '../deps.ts';
import { queueMail } from '../notices/mail-queue.ts';
import { issueLink, peekLink, useLink } from '../notices/one-time-links.ts';

export interface RegistrationInput {
  email: string;
  password: string;
  name: string;
  locale: Locale;
  /** Where the person was going (a shop's sign-in in progress): the confirmation link leads back there. */
  returnTo?: string;
}

/** The verification link's payload: where to continue once the address is confirmed. */
export function verificationPayload(returnTo: string | undefined): Record<string, string> | undefined {
  return returnTo ? { returnTo } : undefined;
}

/**
 * Registration answers the same way whether or not the address is known (STANDARDS D1–D2): the hash
 * is always computed, and what differs (a verification link or a "you already have an account" note)
 * only reaches the mailbox, through the outbox.
 */
export async function register(deps: ServiceDeps, input: RegistrationInput): Promise<void> {
  const email = normalizeEmail(input.email);
  deps.strength.assertAcceptable(input.password, { shopName: deps.config.shopName, email, name: input.name });
  const passwordHash = await deps.hasher.hash(input.password);
  const now = deps.clock.now().toISOString();

  await deps.db.transaction().execute(async (trx) => {
    const existing = await findAccountByEmail(trx, email);
    if (existing?.email_verified_at) {
      await queueMail(trx, deps, {
        to: email,
        locale: existing.locale,
        accountId: existing.id,
        message: {
          template: 'registration-attempt',
          model: {
            signInLink: `${deps.config.publicUrl}/sign-in`,
            resetLink: `${deps.config.publicUrl}/forgot-password`,
          },
        },
      });
      return;
    }
    let accountId: string;
    if (existing) {
      // Never verified: whoever registered first proved nothing. The newest registration replaces it,
      // and only the mailbox owner can complete it.
      accountId = existing.id;
      await updateAccount(trx, accountId, {
        password_hash: passwordHash,
        name: input.name,
        locale: input.locale,
        updated_at: now,
      });
    } else {
      accountId = deps.random.id();
      await insertAccount(trx, {
        id: accountId,
        email,
        password_hash: passwordHash,
        name: input.name,
        locale: input.locale,
        status: 'active',
        created_at: now,
        updated_at: now,
      });
    }
    const link = await issueLink(trx, deps, {
      accountId,
      purpose: 'verify-email',
      payload: verificationPayload(input.returnTo),
    });
    await queueMail(trx, deps, {
      to: email,
      locale: input.locale,
      accountId,
      message: { template: 'verify-email', model: { name: input.name, link } },
    });
  });
  deps.mailQueued();
}

/** GET of the link: tells whether it is usable, changes nothing (mail scanners prefetch links). */
export async function checkVerificationLink(deps: ServiceDeps, token: unknown): Promise<void> {
  await peekLink(deps, token, 'verify-email');
}

/** Confirms the address; answers where the person was going when they registered (unchecked: the caller checks it). */
export async function verifyEmail(deps: ServiceDeps, token: unknown): Promise<{ returnTo: string | null }> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await useLink(trx, deps, token, 'verify-email');
    const now = deps.clock.now().toISOString();
    await updateAccount(trx, row.account_id, { email_verified_at: now, updated_at: now });
    const payload = row.payload ? (JSON.parse(row.payload) as { returnTo?: unknown }) : {};
    return { returnTo: typeof payload.returnTo === 'string' ? payload.returnTo : null };
  });
}

export function assertVerified(account: { email_verified_at: string | null }): void {
  if (!account.email_verified_at) throw new DomainError('EMAIL_NOT_VERIFIED');
}
