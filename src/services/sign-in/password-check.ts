import { DomainError } from '../../core/errors.ts';
import { passwordLength, PASSWORD_MAX } from '../../core/password-policy.ts';
import { findAccountById, updateAccount, type AccountRow } from '../../store/accounts.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { migrateImportedPassword } from './imported-password.ts';
import { assertNotThrottled, noteFailure, noteSuccess } from './throttle.ts';

/** The account behind a password, or null. Unknown address, no password, wrong password: same work, same answer. */
export async function accountForPassword(
  deps: ServiceDeps,
  account: AccountRow | undefined,
  password: string,
): Promise<AccountRow | null> {
  if (passwordLength(password) > PASSWORD_MAX) throw new DomainError('PASSWORD_TOO_LONG');
  const started = performance.now();
  const verified = await checkPassword(deps, account, password);
  // Every refusal takes as long as a refused imported hash would (see PasswordHasher.failureFloorMs).
  if (!verified) await deps.hasher.holdFailure(started);
  return verified;
}

async function checkPassword(
  deps: ServiceDeps,
  account: AccountRow | undefined,
  password: string,
): Promise<AccountRow | null> {
  const usable = account && account.status === 'active' && !account.password_disabled_at ? account : undefined;
  if (usable && !usable.password_hash) {
    // Brought by a shop with its own hash (issue 26): checked that way once, then argon2id from here on.
    const imported = await migrateImportedPassword(deps, usable, password);
    if (imported !== 'not-imported') return imported;
  }
  const ok = await deps.hasher.verify(usable?.password_hash ?? null, password);
  if (!ok || !usable) return null;
  if (usable.password_hash && deps.hasher.needsRehash(usable.password_hash)) {
    await updateAccount(deps.db, usable.id, { password_hash: await deps.hasher.hash(password) });
  }
  return usable;
}

/**
 * Every password check counts like a sign-in (STANDARDS C1): the per-account and per-address delays,
 * and the 100-failure cap that switches the password off and tells the owner.
 */
export async function assertCurrentPassword(
  deps: ServiceDeps,
  accountId: string,
  password: string,
  origin: RequestOrigin,
): Promise<AccountRow> {
  const account = await findAccountById(deps.db, accountId);
  if (!account) throw new DomainError('UNAUTHENTICATED');
  const failuresSoFar = await assertNotThrottled(deps, account.email, account, origin);
  const verified = await accountForPassword(deps, account, password);
  if (!verified) {
    await noteFailure(deps.db, deps, account.email, account, origin);
    throw new DomainError('PASSWORD_INCORRECT', { fields: [{ field: 'currentPassword', code: 'PASSWORD_INCORRECT' }] });
  }
  if (failuresSoFar > 0) await noteSuccess(deps.db, account.email);
  return verified;
}
