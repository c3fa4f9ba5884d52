import { timingSafeEqual } from 'node:crypto';
import { addMs, HOUR_MS } from '../../core/clock.ts';
import { DomainError } from '../../core/errors.ts';
import { normalizeEmail } from '../../core/email-address.ts';
import { passwordLength, PASSWORD_MAX } from '../../core/password-policy.ts';
import type { RiskAssessment } from '../../core/risk/evaluate.ts';
import { findAccountByEmail, findAccountById, updateAccount, type AccountRow } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import { deviceStanding, rememberDevice, type DeviceStanding } from '../../store/devices.ts';
import { consumeToken, findUsableToken, insertOneTimeToken, updateTokenPayload } from '../../store/one-time-tokens.ts';
import { deniedSince } from '../../store/risk.ts';
import { hashToken, looksLikeToken } from '../../platform/token-hash.ts';
import { assertNotThrottled, noteFailure, noteSuccess } from './throttle.ts';
import { hasSecondFactor, secondFactorsOf, verifySecondFactor } from '../second-factors/totp.ts';
import { actorFrom, originModel, recordChange } from '../account-log/change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { describeDevice } from '../../platform/device.ts';
import { recordSensitiveChange } from '../notices/security-notice.ts';
import { queueMail } from '../notices/mail-queue.ts';
import { issueLink } from '../notices/one-time-links.ts';
import { assessRisk, recordRiskDecision, rememberSignInPlace } from '../risk/assessment.ts';
import { refreshAuthentication, startSession, type ActiveSession } from '../sessions/sessions.ts';

/** The account behind a password, or null. Unknown address, no password, wrong password: same work, same answer. */
async function accountForPassword(deps: ServiceDeps, account: AccountRow | undefined, password: string): Promise<AccountRow | null> {
  if (passwordLength(password) > PASSWORD_MAX) throw new DomainError('PASSWORD_TOO_LONG');
  const usable = account && account.status === 'active' && !account.password_disabled_at ? account : undefined;
  const ok = await deps.hasher.verify(usable?.password_hash ?? null, password);
  if (!ok || !usable) return null;
  if (usable.password_hash && deps.hasher.needsRehash(usable.password_hash)) {
    await updateAccount(deps.db, usable.id, { password_hash: await deps.hasher.hash(password) });
  }
  return usable;
}

/** How the pending sign-in is finished: the account's own second factor, or a code mailed to its verified address. */
export type SecondStepMethod = 'second-factor' | 'mail-code';

export type SignInResult =
  | { kind: 'signed-in'; token: string; session: ActiveSession }
  | { kind: 'second-step'; pendingToken: string; method: SecondStepMethod };

export interface PendingSignIn {
  method: SecondStepMethod;
  risk: 'allow' | 'challenge';
  /** SHA-256 of "<pending token>:<code>": useless without the cookie only the signing-in browser holds. */
  codeHash?: string;
  codeAttempts: number;
}

const PENDING_PURPOSE = 'sign-in-second-step';
const PENDING_TTL_MS = 10 * 60_000;
const MAIL_CODE_DIGITS = 6;
/** Wrong codes per mailed code before a new one must be asked for (the account throttle counts them too). */
const MAIL_CODE_ATTEMPTS = 5;

export async function signIn(deps: ServiceDeps, input: { email: string; password: string }, origin: RequestOrigin): Promise<SignInResult> {
  const email = normalizeEmail(input.email);
  const account = await findAccountByEmail(deps.db, email);
  const failuresSoFar = await assertNotThrottled(deps, email, account, origin);
  const verified = await accountForPassword(deps, account, input.password);
  if (!verified) {
    await noteFailure(deps.db, deps, email, account, origin);
    throw new DomainError('INVALID_CREDENTIALS');
  }
  if (!verified.email_verified_at) {
    // Only someone who knows the password learns this, so it reveals nothing to a guesser.
    await deps.db.transaction().execute(async (trx) => {
      const link = await issueLink(trx, deps, { accountId: verified.id, purpose: 'verify-email' });
      await queueMail(trx, deps, {
        to: verified.email,
        locale: verified.locale,
        accountId: verified.id,
        message: { template: 'verify-email', model: { name: verified.name, link } },
      });
    });
    deps.mailQueued();
    throw new DomainError('EMAIL_NOT_VERIFIED');
  }

  const device = await deviceStanding(deps.db, verified.id, origin.deviceId);
  const assessment = await assessRisk(deps, verified, origin, { action: 'sign-in', passwordBlocklisted: deps.strength.isBlocklisted(input.password), device });
  if (assessment.decision === 'deny') {
    await denySignIn(deps, verified, assessment, origin);
    // The same answer as a wrong password: a stuffing run must not learn which passwords were right.
    throw new DomainError('INVALID_CREDENTIALS');
  }
  const risk = assessment.decision;
  const method: SecondStepMethod | null = (await hasSecondFactor(deps.db, verified.id)) ? 'second-factor' : risk === 'challenge' ? 'mail-code' : null;
  if (method) {
    const pendingToken = await startPendingSignIn(deps, verified, { method, risk, codeAttempts: 0 }, origin, assessment);
    return { kind: 'second-step', pendingToken, method };
  }
  // With a second factor the count is reset only when the second step passes too: codes share it.
  const started = await deps.db.transaction().execute(async (trx) => {
    await recordRiskDecision(trx, deps, { accountId: verified.id, action: 'sign-in', assessment, origin });
    return finishSignIn(trx, deps, verified, origin, 'allow', 'password', device);
  });
  if (failuresSoFar > 0) await noteSuccess(deps.db, email);
  // Waking the worker runs its whole pass; a returning browser's sign-in queues nothing to deliver.
  if (started.noticeQueued) deps.mailQueued();
  return { kind: 'signed-in', token: started.token, session: started.session };
}

async function startPendingSignIn(deps: ServiceDeps, account: AccountRow, pending: PendingSignIn, origin: RequestOrigin, assessment: RiskAssessment): Promise<string> {
  const pendingToken = deps.random.token();
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const code = pending.method === 'mail-code' ? deps.random.digits(MAIL_CODE_DIGITS) : null;
    const payload: PendingSignIn = code ? { ...pending, codeHash: mailCodeHash(pendingToken, code) } : pending;
    await insertOneTimeToken(trx, {
      id: deps.random.id(),
      token_hash: hashToken(pendingToken),
      purpose: PENDING_PURPOSE,
      account_id: account.id,
      payload: JSON.stringify(payload),
      created_at: now.toISOString(),
      expires_at: addMs(now, PENDING_TTL_MS).toISOString(),
    });
    if (code) await queueSignInCode(trx, deps, account, code, origin);
    await recordRiskDecision(trx, deps, { accountId: account.id, action: 'sign-in', assessment, origin });
  });
  if (pending.method === 'mail-code') deps.mailQueued();
  return pendingToken;
}

function mailCodeHash(pendingToken: string, code: string): string {
  return hashToken(`${pendingToken}:${code}`);
}

async function queueSignInCode(trx: Executor, deps: ServiceDeps, account: AccountRow, code: string, origin: RequestOrigin): Promise<void> {
  await queueMail(trx, deps, {
    to: account.email,
    locale: account.locale,
    accountId: account.id,
    message: { template: 'sign-in-code', model: { code, expiresMinutes: PENDING_TTL_MS / 60_000, ...originModel(origin, deps.clock.now()) } },
  });
}

/**
 * The right password from somewhere the engine refuses: the owner is told (once an hour at most) that
 * their password is known, from where, and how to set a new one. Nothing is locked.
 */
async function denySignIn(deps: ServiceDeps, account: AccountRow, assessment: RiskAssessment, origin: RequestOrigin): Promise<void> {
  const since = addMs(deps.clock.now(), -HOUR_MS).toISOString();
  const notify = !(await deniedSince(deps.db, account.id, since));
  await deps.db.transaction().execute(async (trx) => {
    await recordRiskDecision(trx, deps, { accountId: account.id, action: 'sign-in', assessment, origin });
    if (notify) {
      await queueMail(trx, deps, {
        to: account.email,
        locale: account.locale,
        accountId: account.id,
        message: { template: 'sign-in-blocked', model: { resetLink: `${deps.config.publicUrl}/forgot-password`, ...originModel(origin, deps.clock.now()) } },
      });
    }
  });
  deps.log.warn({ event: 'authn_login_fail', reason: 'risk_denied', accountId: account.id, ip: origin.ip }, 'authn_login_fail');
  if (notify) deps.mailQueued();
}

async function readPending(deps: ServiceDeps, pendingToken: string | undefined) {
  if (!looksLikeToken(pendingToken)) throw new DomainError('SIGN_IN_EXPIRED');
  const row = await findUsableToken(deps.db, hashToken(pendingToken), PENDING_PURPOSE, deps.clock.now().toISOString());
  const account = row ? await findAccountById(deps.db, row.account_id) : undefined;
  if (!row || !account || account.status !== 'active' || account.password_disabled_at) throw new DomainError('SIGN_IN_EXPIRED');
  return { row, account, pending: JSON.parse(row.payload ?? '{}') as PendingSignIn, pendingToken };
}

/** Which proof the pending sign-in waits for, and whether a passkey can give it (the page shows the matching form). */
export async function pendingMethod(deps: ServiceDeps, pendingToken: string | undefined): Promise<{ method: SecondStepMethod; passkey: boolean; totp: boolean }> {
  const { pending, account } = await readPending(deps, pendingToken);
  const factors = await secondFactorsOf(deps.db, account.id);
  return { method: pending.method, passkey: pending.method === 'second-factor' && factors.passkey, totp: factors.totp };
}

/** The second step: a TOTP or recovery code, or the code mailed for a challenged sign-in. */
export async function completeSecondStep(
  deps: ServiceDeps,
  pendingToken: string | undefined,
  code: string,
  origin: RequestOrigin,
): Promise<{ token: string; session: ActiveSession }> {
  return completePendingSignIn(deps, pendingToken, origin, async (trx, account, pending) => {
    if (pending.method === 'mail-code') {
      assertMailCode(pending, pendingToken ?? '', code);
      return 'mailed-code';
    }
    await verifySecondFactor(trx, deps, account.id, code, origin);
    return 'second-factor';
  });
}

/**
 * Finishes a pending sign-in once `prove` accepts the proof (throwing CODE_INVALID when it does not).
 * Wrong codes count against the same throttle as wrong passwords (STANDARDS C4).
 */
export async function completePendingSignIn(
  deps: ServiceDeps,
  pendingToken: string | undefined,
  origin: RequestOrigin,
  prove: (trx: Executor, account: AccountRow, pending: PendingSignIn) => Promise<SignInFactor>,
): Promise<{ token: string; session: ActiveSession }> {
  const { account, pending, row } = await readPending(deps, pendingToken);
  const failuresSoFar = await assertNotThrottled(deps, account.email, account, origin);
  const tokenHash = hashToken(pendingToken ?? '');
  try {
    const started = await deps.db.transaction().execute(async (trx) => {
      const factor = await prove(trx, account, pending);
      if (!(await consumeToken(trx, tokenHash, PENDING_PURPOSE, deps.clock.now().toISOString()))) throw new DomainError('SIGN_IN_EXPIRED');
      return finishSignIn(trx, deps, account, origin, pending.risk, factor);
    });
    if (failuresSoFar > 0) await noteSuccess(deps.db, account.email);
    deps.mailQueued();
    return started;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'CODE_INVALID') {
      // Outside the rolled-back transaction, so the failure is counted.
      await noteFailure(deps.db, deps, account.email, account, origin);
      if (pending.method === 'mail-code') {
        const attempts = pending.codeAttempts + 1;
        await updateTokenPayload(deps.db, row.id, JSON.stringify({ ...pending, codeAttempts: attempts }));
        if (attempts >= MAIL_CODE_ATTEMPTS) throw new DomainError('CODE_EXHAUSTED');
      }
    }
    throw error;
  }
}

/** The account a pending sign-in is for (the second step's passkey options need it). */
export async function pendingAccountId(deps: ServiceDeps, pendingToken: string | undefined): Promise<string> {
  return (await readPending(deps, pendingToken)).account.id;
}

function assertMailCode(pending: PendingSignIn, pendingToken: string, code: string): void {
  const digits = code.replace(/\s/g, '');
  if (pending.codeAttempts >= MAIL_CODE_ATTEMPTS) throw new DomainError('CODE_EXHAUSTED');
  const expected = Buffer.from(pending.codeHash ?? '');
  const given = Buffer.from(/^\d{6}$/.test(digits) ? mailCodeHash(pendingToken, digits) : '');
  if (expected.length === 0 || expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new DomainError('CODE_INVALID', { fields: [{ field: 'code', code: 'CODE_INVALID' }] });
  }
}

/** A new mailed code replaces the old one (STANDARDS H4); the attempts start over, the throttle does not. */
export async function resendSignInCode(deps: ServiceDeps, pendingToken: string | undefined, origin: RequestOrigin): Promise<void> {
  const { account, pending, row } = await readPending(deps, pendingToken);
  if (pending.method !== 'mail-code') throw new DomainError('SIGN_IN_EXPIRED');
  const code = deps.random.digits(MAIL_CODE_DIGITS);
  await deps.db.transaction().execute(async (trx) => {
    await updateTokenPayload(trx, row.id, JSON.stringify({ ...pending, codeHash: mailCodeHash(pendingToken ?? '', code), codeAttempts: 0 }));
    await queueSignInCode(trx, deps, account, code, origin);
  });
  deps.mailQueued();
}

export type SignInFactor = 'password' | 'second-factor' | 'mailed-code' | 'passkey';

/** `device` is the browser's standing read just before, when the caller has it (saves the reads). */
export async function finishSignIn(
  trx: Executor,
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  risk: 'allow' | 'challenge',
  factor: SignInFactor,
  device?: DeviceStanding,
) {
  const result = await startSession(trx, deps, account.id, origin, risk);
  const noticeQueued = await noteDevice(trx, deps, account, { ...origin, sessionId: result.session.id }, device ?? (await deviceStanding(trx, account.id, origin.deviceId)));
  await rememberSignInPlace(trx, deps, account.id, origin);
  deps.log.info({ event: 'authn_login_success', accountId: account.id, factor, risk, ip: origin.ip }, 'authn_login_success');
  return { ...result, noticeQueued };
}

/**
 * A sign-in from a browser the account has not used before is a sensitive change: logged and announced
 * with a "This wasn't me" link. The account's very first device is only remembered.
 */
async function noteDevice(trx: Executor, deps: ServiceDeps, account: AccountRow, origin: RequestOrigin, device: DeviceStanding): Promise<boolean> {
  if (!origin.deviceId || device.firstSeenAt) return false;
  const firstDevice = !device.any;
  await rememberDevice(trx, account.id, origin.deviceId, deps.clock.now().toISOString());
  const change = { kind: 'new-device-sign-in' as const, actor: actorFrom(origin), after: { device: describeDevice(origin.userAgent), ip: origin.ip } };
  if (firstDevice) {
    await recordChange(trx, deps, { accountId: account.id, ...change });
    return false;
  }
  await recordSensitiveChange(trx, deps, account, change);
  return true;
}

/** Confirms the password again for a sensitive action; returns the session's new token. */
export async function reauthenticate(deps: ServiceDeps, session: ActiveSession, password: string, origin: RequestOrigin): Promise<string> {
  await assertCurrentPassword(deps, session.accountId, password, origin);
  return deps.db.transaction().execute((trx) => refreshAuthentication(trx, deps, session));
}

/**
 * Every password check counts like a sign-in (STANDARDS C1): the per-account and per-address delays,
 * and the 100-failure cap that switches the password off and tells the owner.
 */
export async function assertCurrentPassword(deps: ServiceDeps, accountId: string, password: string, origin: RequestOrigin): Promise<AccountRow> {
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
