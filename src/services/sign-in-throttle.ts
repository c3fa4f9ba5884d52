import { DomainError } from '../core/errors.ts';
import { delayAfter, reachedCap, throttleDecision } from '../core/throttle-policy.ts';
import { updateAccount, type AccountRow } from '../store/accounts.ts';
import type { Executor } from '../store/database.ts';
import { isKnownDevice } from '../store/devices.ts';
import { clearThrottle, countFailure, readThrottle, setBlockedUntil } from '../store/sign-in-throttle.ts';
import { actorFrom } from './change-log.ts';
import type { RequestOrigin, ServiceDeps } from './deps.ts';
import { recordSensitiveChange } from './security-notice.ts';
import { hashToken } from './token-hash.ts';

export function throttleKey(email: string): string {
  return hashToken(`sign-in:${email}`);
}

/**
 * Refuses an attempt while the address is in a delay, unless it comes from a browser the owner used
 * before. Returns the failures counted so far, so a success clears the count only when there is one.
 */
export async function assertNotThrottled(deps: ServiceDeps, email: string, account: AccountRow | undefined, origin: RequestOrigin): Promise<number> {
  const state = await readThrottle(deps.db, throttleKey(email));
  if (!state.blockedUntil) return state.failures;
  const known = account !== undefined && origin.deviceId ? await isKnownDevice(deps.db, account.id, origin.deviceId) : false;
  if (throttleDecision({ blockedUntil: new Date(state.blockedUntil) }, deps.clock.now(), known) === 'wait') {
    throw new DomainError('SIGN_IN_THROTTLED');
  }
  return state.failures;
}

/**
 * One more failure for the address (a password, a TOTP or a recovery code). At the cap the password of
 * an existing account stops working until it is reset, and the owner is told.
 */
export async function noteFailure(db: Executor, deps: ServiceDeps, email: string, account: AccountRow | undefined, origin: RequestOrigin): Promise<void> {
  const now = deps.clock.now();
  const key = throttleKey(email);
  const failures = await countFailure(db, key, now.toISOString());
  const delay = delayAfter(failures);
  await setBlockedUntil(db, key, delay > 0 ? new Date(now.getTime() + delay).toISOString() : null);
  if (account && reachedCap(failures) && !account.password_disabled_at) {
    await deps.db.transaction().execute(async (trx) => {
      await updateAccount(trx, account.id, { password_disabled_at: now.toISOString(), updated_at: now.toISOString() });
      await recordSensitiveChange(trx, deps, account, { kind: 'password-disabled-after-failures', actor: actorFrom(origin), after: { failures } });
    });
    deps.mailQueued();
  }
}

export async function noteSuccess(db: Executor, email: string): Promise<void> {
  await clearThrottle(db, throttleKey(email));
}
