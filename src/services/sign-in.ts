import { addMs } from '../core/clock.ts';
import { DomainError } from '../core/errors.ts';
import { normalizeEmail } from '../core/email-address.ts';
import { passwordLength, PASSWORD_MAX } from '../core/password-policy.ts';
import { findAccountByEmail, findAccountById, updateAccount, type AccountRow } from '../store/accounts.ts';
import type { Executor } from '../store/database.ts';
import { hasKnownDevices, isKnownDevice, rememberDevice } from '../store/devices.ts';
import { consumeToken, findUsableToken, insertOneTimeToken } from '../store/one-time-tokens.ts';
import { hashToken, looksLikeToken } from './token-hash.ts';
import { assertNotThrottled, noteFailure, noteSuccess } from './sign-in-throttle.ts';
import { hasSecondFactor, verifySecondFactor } from './two-step.ts';
import { actorFrom, recordChange } from './change-log.ts';
import type { RequestOrigin, ServiceDeps } from './deps.ts';
import { describeDevice } from './device.ts';
import { recordSensitiveChange } from './security-notice.ts';
import { queueMail } from './mail-queue.ts';
import { issueLink } from './one-time-links.ts';
import { refreshAuthentication, startSession, type ActiveSession } from './sessions.ts';

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

export type SignInResult = { kind: 'signed-in'; token: string; session: ActiveSession } | { kind: 'second-step'; pendingToken: string };

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
  if (await hasSecondFactor(deps.db, verified.id)) {
    // The password was right; the session waits for the second step (10 minutes, STANDARDS E2).
    const pendingToken = deps.random.token();
    const now = deps.clock.now();
    await insertOneTimeToken(deps.db, {
      id: deps.random.id(),
      token_hash: hashToken(pendingToken),
      purpose: SECOND_STEP_PURPOSE,
      account_id: verified.id,
      payload: null,
      created_at: now.toISOString(),
      expires_at: addMs(now, SECOND_STEP_TTL_MS).toISOString(),
    });
    return { kind: 'second-step', pendingToken };
  }
  // With a second factor the count is reset only when the second step passes too: codes share it.
  const started = await deps.db.transaction().execute((trx) => finishSignIn(trx, deps, verified, origin));
  if (failuresSoFar > 0) await noteSuccess(deps.db, email);
  deps.mailQueued();
  return { kind: 'signed-in', ...started };
}

const SECOND_STEP_PURPOSE = 'sign-in-second-step';
const SECOND_STEP_TTL_MS = 10 * 60_000;

/** The second step: a TOTP or recovery code for the account whose password was just checked. */
export async function completeSecondStep(
  deps: ServiceDeps,
  pendingToken: string | undefined,
  code: string,
  origin: RequestOrigin,
): Promise<{ token: string; session: ActiveSession }> {
  if (!looksLikeToken(pendingToken)) throw new DomainError('TOKEN_INVALID');
  const pending = await findUsableToken(deps.db, hashToken(pendingToken), SECOND_STEP_PURPOSE, deps.clock.now().toISOString());
  const account = pending ? await findAccountById(deps.db, pending.account_id) : undefined;
  if (!account || account.status !== 'active' || account.password_disabled_at) throw new DomainError('TOKEN_INVALID');
  const failuresSoFar = await assertNotThrottled(deps, account.email, account, origin);
  try {
    const started = await deps.db.transaction().execute(async (trx) => {
      await verifySecondFactor(trx, deps, account.id, code, origin);
      if (!(await consumeToken(trx, hashToken(pendingToken), SECOND_STEP_PURPOSE, deps.clock.now().toISOString()))) throw new DomainError('TOKEN_INVALID');
      return finishSignIn(trx, deps, account, origin);
    });
    if (failuresSoFar > 0) await noteSuccess(deps.db, account.email);
    deps.mailQueued();
    return started;
  } catch (error) {
    // Wrong codes count against the same throttle as wrong passwords (STANDARDS C4), outside the rolled-back transaction.
    if (error instanceof DomainError && error.code === 'CODE_INVALID') await noteFailure(deps.db, deps, account.email, account, origin);
    throw error;
  }
}

async function finishSignIn(trx: Executor, deps: ServiceDeps, account: AccountRow, origin: RequestOrigin) {
  const result = await startSession(trx, deps, account.id, origin);
  await noteDevice(trx, deps, account, { ...origin, sessionId: result.session.id });
  return result;
}

/**
 * A sign-in from a browser the account has not used before is a sensitive change: logged and announced
 * with a "This wasn't me" link. The account's very first device is only remembered.
 */
async function noteDevice(trx: Executor, deps: ServiceDeps, account: AccountRow, origin: RequestOrigin): Promise<void> {
  if (!origin.deviceId || (await isKnownDevice(trx, account.id, origin.deviceId))) return;
  const firstDevice = !(await hasKnownDevices(trx, account.id));
  await rememberDevice(trx, account.id, origin.deviceId, deps.clock.now().toISOString());
  const change = { kind: 'new-device-sign-in' as const, actor: actorFrom(origin), after: { device: describeDevice(origin.userAgent), ip: origin.ip } };
  if (firstDevice) await recordChange(trx, deps, { accountId: account.id, ...change });
  else await recordSensitiveChange(trx, deps, account, change);
}

/** Confirms the password again for a sensitive action; returns the session's new token. */
export async function reauthenticate(deps: ServiceDeps, session: ActiveSession, password: string): Promise<string> {
  await assertCurrentPassword(deps, session.accountId, password);
  return deps.db.transaction().execute((trx) => refreshAuthentication(trx, deps, session));
}

export async function assertCurrentPassword(deps: ServiceDeps, accountId: string, password: string): Promise<AccountRow> {
  const account = await findAccountById(deps.db, accountId);
  const verified = await accountForPassword(deps, account, password);
  if (!verified) throw new DomainError('PASSWORD_INCORRECT', { fields: [{ field: 'currentPassword', code: 'PASSWORD_INCORRECT' }] });
  return verified;
}
