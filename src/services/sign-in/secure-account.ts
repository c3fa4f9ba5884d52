import { DomainError } from '../../core/errors.ts';
import { findAccountById } from '../../store/accounts.ts';
import { voidTokens } from '../../store/one-time-tokens.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { issueLink, peekLink, useLink } from '../notices/one-time-links.ts';
import { endSessions } from '../sessions/end-sessions.ts';

/** The pending second step of a sign-in (second-step.ts): whoever typed the password is waiting on it. */
const PENDING_SIGN_IN = 'sign-in-second-step';

/**
 * The sign-in code mail says someone has her password; its button is the next step (issue 25). Opening
 * the link shows what it will do and changes nothing.
 */
export async function checkSecureAccountLink(deps: ServiceDeps, token: unknown): Promise<void> {
  await peekLink(deps, token, 'secure-account');
}

/**
 * Used once, from the mailbox the code went to (the password alone never reaches it): every session of
 * the account ends (shops' sign-ins included), the pending sign-in that asked for the code dies with
 * its code, and a reset link is issued for this browser, so the next page asks for a new password.
 * Returns where the browser goes next.
 */
export async function secureAccountByLink(deps: ServiceDeps, token: unknown, origin: RequestOrigin): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    const link = await useLink(trx, deps, token, 'secure-account');
    const account = await findAccountById(trx, link.account_id);
    if (!account || account.status !== 'active') throw new DomainError('TOKEN_INVALID');
    await endSessions(trx, deps, account.id, { all: true }, 'secured from the sign-in code mail');
    await voidTokens(trx, account.id, [PENDING_SIGN_IN], deps.clock.now().toISOString());
    const reset = await issueLink(trx, deps, {
      accountId: account.id,
      purpose: 'reset-password',
      recipient: account.email,
    });
    deps.log.info(
      { event: 'authn_token_revoked', accountId: account.id, ip: origin.ip },
      'every session ended from the sign-in code mail',
    );
    return new URL(reset).pathname + new URL(reset).search;
  });
}
