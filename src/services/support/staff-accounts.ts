import { randomBytes } from 'node:crypto';
import { DomainError } from '../../core/errors.ts';
import { normalizeEmail } from '../../core/email-address.ts';
import { needsTouch, sessionState, type SessionLimits } from '../../core/session-policy.ts';
import type { StaffRole } from '../../store/schema.ts';
import {
  findStaffByEmail,
  findStaffSession,
  insertStaff,
  insertStaffSession,
  replaceStaffTotpSecret,
  revokeAllStaffSessions,
  setStaffPassword,
  revokeStaffSession,
  touchStaffSession,
  useStaffTotpStep,
} from '../../store/staff.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { assertNotThrottled, noteFailure, noteSuccess } from '../sign-in/throttle.ts';
import { reachedCap } from '../../core/throttle-policy.ts';
import { hashToken, looksLikeToken } from '../../platform/token-hash.ts';
import { newTotpSecret, totpStep, totpUri } from '../second-factors/totp.ts';

/** Staff sessions are short (STANDARDS G: higher-risk functionality): 30 minutes idle, 12 hours in all. */
export const STAFF_SESSION_LIMITS: SessionLimits = {
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3_600_000,
  privilegedMs: 0,
  touchIntervalMs: 60_000,
};

export interface StaffSession {
  id: string;
  staffId: string;
  email: string;
  name: string;
  role: StaffRole;
}

/** A staff seed is sealed to its staff member, apart from customers' seeds: one copied to another row does not open. */
export const staffSeedContext = (staffId: string): string => `staff-totp-seed:${staffId}`;

/** The throttle keys of staff never collide with a customer's, even for the same address. */
const throttleName = (email: string) => `staff:${email}`;

/**
 * `mamori staff add`: a staff member with a generated password and TOTP seed, shown once. Staff always
 * sign in with both: support sees customers' accounts, so a stolen staff password alone must open nothing.
 */
export async function addStaff(
  deps: ServiceDeps,
  input: { email: string; name: string; role: StaffRole },
): Promise<{ password: string; totpSecret: string; totpUri: string }> {
  const email = normalizeEmail(input.email);
  if (await findStaffByEmail(deps.db, email)) throw new DomainError('EMAIL_UNAVAILABLE');
  const password = randomBytes(18).toString('base64url');
  const totpSecret = newTotpSecret();
  const id = deps.random.id();
  await insertStaff(deps.db, {
    id,
    email,
    name: input.name,
    role: input.role,
    password_hash: await deps.hasher.hash(password),
    totp_secret: deps.secrets.seal(totpSecret, staffSeedContext(id)),
    created_at: deps.clock.now().toISOString(),
    disabled_at: null,
  });
  deps.log.info({ event: 'user_created', staff: email, role: input.role }, 'user_created');
  return { password, totpSecret, totpUri: totpUri(totpSecret, email, `${deps.config.shopName} support`) };
}

/** Password and TOTP code together; unknown addresses cost the same hash and get the same answer. */
export async function staffSignIn(
  deps: ServiceDeps,
  input: { email: string; password: string; code: string },
  origin: RequestOrigin,
): Promise<{ token: string }> {
  const email = normalizeEmail(input.email);
  const failuresSoFar = await assertNotThrottled(deps, throttleName(email), undefined, origin);
  // NIST SP 800-63B §3.2.2: after 100 consecutive failures the password is out of use until an operator
  // sets a new one (`mamori staff reset-password`). The answer is the one any wrong attempt gets.
  if (reachedCap(failuresSoFar)) {
    await deps.hasher.verify(null, input.password);
    deps.log.warn({ event: 'authn_login_fail_max', staff: true, ip: origin.ip }, 'authn_login_fail_max');
    throw new DomainError('INVALID_CREDENTIALS');
  }
  const staff = await findStaffByEmail(deps.db, email);
  const usable = staff && !staff.disabled_at ? staff : undefined;
  const passwordOk = await deps.hasher.verify(usable?.password_hash ?? null, input.password);
  const seedContext = usable ? staffSeedContext(usable.id) : '';
  const step =
    usable && passwordOk
      ? totpStep(deps.secrets.open(usable.totp_secret, seedContext), input.code.trim(), deps.clock.now().getTime())
      : null;
  if (!usable || !passwordOk || step === null || !(await useStaffTotpStep(deps.db, usable.id, step))) {
    await noteFailure(deps.db, deps, throttleName(email), undefined, origin);
    deps.log.warn({ event: 'authn_login_fail', staff: true, ip: origin.ip }, 'authn_login_fail');
    throw new DomainError('INVALID_CREDENTIALS');
  }
  // A seed stored in plain by an earlier version, or under a key being rotated out, is sealed anew.
  const resealed = deps.secrets.resealed(usable.totp_secret, seedContext);
  if (resealed) await replaceStaffTotpSecret(deps.db, usable.id, usable.totp_secret, resealed);
  if (failuresSoFar > 0) await noteSuccess(deps.db, throttleName(email));
  const token = deps.random.token();
  const now = deps.clock.now().toISOString();
  await insertStaffSession(deps.db, {
    id: deps.random.id(),
    token_hash: hashToken(token),
    staff_id: usable.id,
    ip: origin.ip,
    user_agent: origin.userAgent.slice(0, 512),
    created_at: now,
    last_seen_at: now,
    revoked_at: null,
  });
  deps.log.info(
    { event: 'authn_login_success', staff: usable.email, role: usable.role, ip: origin.ip },
    'authn_login_success',
  );
  return { token };
}

export async function resolveStaffSession(deps: ServiceDeps, token: string | undefined): Promise<StaffSession | null> {
  if (!looksLikeToken(token)) return null;
  const row = await findStaffSession(deps.db, hashToken(token));
  if (!row || row.disabled_at) return null;
  const now = deps.clock.now();
  const times = {
    createdAt: new Date(row.created_at),
    lastSeenAt: new Date(row.last_seen_at),
    authenticatedAt: new Date(row.created_at),
    revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
  };
  if (sessionState(times, now, STAFF_SESSION_LIMITS) !== 'active') return null;
  if (needsTouch(times, now, STAFF_SESSION_LIMITS)) await touchStaffSession(deps.db, row.id, now.toISOString());
  return { id: row.id, staffId: row.staff_id, email: row.email, name: row.name, role: row.role };
}

/**
 * An operator's reset (after the 100-failure cap, or a suspected leak): a new generated password, every
 * session of the member ended, the failure count cleared. The authenticator stays; returns the password.
 */
export async function resetStaffPassword(deps: ServiceDeps, emailInput: string): Promise<string> {
  const email = normalizeEmail(emailInput);
  const staff = await findStaffByEmail(deps.db, email);
  if (!staff) throw new DomainError('NOT_FOUND');
  const password = randomBytes(18).toString('base64url');
  const passwordHash = await deps.hasher.hash(password);
  await deps.db.transaction().execute(async (trx) => {
    await setStaffPassword(trx, staff.id, passwordHash);
    await revokeAllStaffSessions(trx, staff.id, deps.clock.now().toISOString());
    await noteSuccess(trx, throttleName(email));
  });
  deps.log.info({ event: 'authn_password_change', staff: email, by: 'operator' }, 'authn_password_change');
  return password;
}

export async function staffSignOut(deps: ServiceDeps, session: StaffSession): Promise<void> {
  await revokeStaffSession(deps.db, session.id, deps.clock.now().toISOString());
}

/** Admin-only actions: an agent is refused, and the attempt is logged (OWASP authz_fail). */
export function assertAdmin(deps: ServiceDeps, session: StaffSession, what: string): void {
  if (session.role === 'admin') return;
  deps.log.warn({ event: 'authz_fail', staff: session.email, role: session.role, what }, 'authz_fail');
  throw new DomainError('FORBIDDEN');
}
