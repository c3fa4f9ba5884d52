import { DomainError } from '../../core/errors.ts';
import { passwordLength, PASSWORD_MAX } from '../../core/password-policy.ts';
import type { AskLegacySystem } from '../../platform/legacy-sign-in.ts';
import type { AccountRow } from '../../store/accounts.ts';
import type { ServiceDeps } from '../deps.ts';
import { createLegacyAccount } from '../import/legacy-account.ts';

/**
 * An address Mamori does not know, with the live trickle migration on: the shop's old system is asked
 * once whether the password is right. The dummy check every unknown address costs runs while it thinks,
 * so a "no" costs what it always did, or the old system's round trip when that is longer. Any answer
 * but a "yes" with a profile is the unknown address's answer. The caller has already passed the
 * throttles and counts a failure like any other.
 */
export async function accountFromLegacySystem(
  deps: ServiceDeps,
  ask: AskLegacySystem,
  email: string,
  password: string,
): Promise<AccountRow | null> {
  if (passwordLength(password) > PASSWORD_MAX) throw new DomainError('PASSWORD_TOO_LONG');
  const started = performance.now();
  const [verdict] = await Promise.all([ask(email, password), deps.hasher.verify(null, password)]);
  deps.log.info({ event: 'legacy_sign_in', outcome: verdict.outcome }, 'legacy_sign_in');
  if (verdict.outcome !== 'match') {
    await deps.hasher.holdFailure(started);
    return null;
  }
  const account = await createLegacyAccount(deps, email, verdict.profile, password);
  if (account) deps.log.info({ event: 'legacy_sign_in_migrated', accountId: account.id }, 'legacy_sign_in_migrated');
  return account;
}
