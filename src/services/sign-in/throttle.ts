import { DomainError } from '../../core/errors.ts';
import {
  delayAfter,
  IP_FAILURE_MEMORY_MS,
  IP_FREE_FAILURES,
  reachedCap,
  throttleDecision,
} from '../../core/throttle-policy.ts';
import { updateAccount, type AccountRow } from '../../store/accounts.ts';
import { normalizeEmail } from '../../core/email-address.ts';
import type { Executor } from '../../store/database.ts';
import { isKnownDevice, type DeviceStanding } from '../../store/devices.ts';
import { readSubject } from '../../store/sign-in-subject.ts';
import {
  clearThrottle,
  countFailure,
  readThrottles,
  setBlockedUntil,
  type ThrottleRow,
} from '../../store/sign-in-throttle.ts';
import { actorFrom } from '../account-log/change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { countSignInFailure } from '../risk/assessment.ts';
import { recordSensitiveChange } from '../notices/security-notice.ts';
import { hashToken } from '../../platform/token-hash.ts';

export function throttleKey(email: string): string {
  return hashToken(`sign-in:${email}`);
}

function ipThrottleKey(ip: string): string {
  return `ip:${ip}`;
}

/**
 * Refuses an attempt while the address or the client's network address is in a delay, unless it comes
 * from a browser the owner used before. Returns the account's failures so far, so a success clears the
 * count only when there is one.
 */
export async function assertNotThrottled(
  deps: ServiceDeps,
  email: string,
  account: AccountRow | undefined,
  origin: RequestOrigin,
  /** The throttle rows this request already read for the same address and client, and the address's key (readSignInSubject). */
  read?: { throttles: Map<string, ThrottleRow>; key: string },
): Promise<number> {
  const key = read?.key ?? throttleKey(email);
  const states = read?.throttles ?? (await readThrottles(deps.db, key, ipThrottleKey(origin.ip)));
  const now = deps.clock.now();
  const blockedUntil = [...states.values()]
    .map((s) => s.blockedUntil)
    .filter((until): until is string => until !== null && until > now.toISOString());
  const failures = states.get(key)?.failures ?? 0;
  if (blockedUntil.length === 0) return failures;
  const known =
    account !== undefined && origin.deviceId ? await isKnownDevice(deps.db, account.id, origin.deviceId) : false;
  const latest = blockedUntil.sort().at(-1) ?? null;
  if (throttleDecision({ blockedUntil: latest ? new Date(latest) : null }, now, known) === 'wait') {
    deps.log.info({ event: 'authn_login_throttled', ip: origin.ip }, 'authn_login_throttled');
    throw new DomainError('SIGN_IN_THROTTLED');
  }
  return failures;
}

/**
 * One more failure for the address and the client (a password, a TOTP, a recovery or a mailed code).
 * At the cap the password of an existing account stops working until it is reset, and the owner is told.
 */
export async function noteFailure(
  db: Executor,
  deps: ServiceDeps,
  email: string,
  account: AccountRow | undefined,
  origin: RequestOrigin,
): Promise<void> {
  const now = deps.clock.now();
  const key = throttleKey(email);
  const ipKey = ipThrottleKey(origin.ip);
  const failures = await countFailure(db, key, now.toISOString());
  const ipFailures = await countFailure(
    db,
    ipKey,
    now.toISOString(),
    new Date(now.getTime() - IP_FAILURE_MEMORY_MS).toISOString(),
  );
  const delay = delayAfter(failures);
  const ipDelay = delayAfter(ipFailures, IP_FREE_FAILURES);
  await setBlockedUntil(db, key, delay > 0 ? new Date(now.getTime() + delay).toISOString() : null);
  if (ipDelay > 0) await setBlockedUntil(db, ipKey, new Date(now.getTime() + ipDelay).toISOString());
  await countSignInFailure(deps, email, origin);
  deps.log.info(
    { event: 'authn_login_fail', accountKnown: account !== undefined, failures, ip: origin.ip },
    'authn_login_fail',
  );
  if (account && reachedCap(failures) && !account.password_disabled_at) {
    await deps.db.transaction().execute(async (trx) => {
      await updateAccount(trx, account.id, { password_disabled_at: now.toISOString(), updated_at: now.toISOString() });
      await recordSensitiveChange(trx, deps, account, {
        kind: 'password-disabled-after-failures',
        actor: actorFrom(origin),
        after: { failures },
      });
    });
    deps.log.warn({ event: 'authn_login_fail_max', accountId: account.id, failures }, 'authn_login_fail_max');
    deps.mailQueued();
  }
}

/**
 * Whether this browser has signed in to the account before: such a browser is never held back by a limit
 * meant for strangers, so one busy shared address (a carrier's, an office's) cannot keep real customers out.
 */
export async function isKnownBrowser(
  deps: ServiceDeps,
  accountId: string | null | undefined,
  deviceId: string | null,
): Promise<boolean> {
  return accountId && deviceId ? isKnownDevice(deps.db, accountId, deviceId) : false;
}

/**
 * The account a sign-in form names and this browser's standing with it, read once for the request: the
 * limit for strangers asks whether the browser is known, the password step needs both (issue 29).
 */
export interface SignInSubject {
  email: string;
  account: AccountRow | undefined;
  deviceId: string | null;
  /** The client address the throttles were read for. */
  ip: string;
  /** Read only for an account that exists and a browser that has a device cookie. */
  device: DeviceStanding | null;
  /** The address's and the client's throttle rows (assertNotThrottled's read), by key. */
  throttles: Map<string, ThrottleRow>;
  /** The address's throttle key (a hash, made once). */
  key: string;
}

/** One statement, the same for an address with and without an account (no enumeration by timing). */
export async function readSignInSubject(
  deps: ServiceDeps,
  email: string,
  deviceId: string | null,
  ip: string,
): Promise<SignInSubject> {
  const normalized = normalizeEmail(email);
  const key = throttleKey(normalized);
  const { account, device, throttles } = await readSubject(deps.db, normalized, deviceId, {
    account: key,
    address: ipThrottleKey(ip),
  });
  return { email: normalized, account, deviceId, ip, device, throttles, key };
}

export async function noteSuccess(db: Executor, email: string): Promise<void> {
  await clearThrottle(db, throttleKey(email));
}
