import { timingSafeEqual } from 'node:crypto';
import { addMs } from '../../core/clock.ts';
import { DomainError } from '../../core/errors.ts';
import type { RiskAssessment } from '../../core/risk/evaluate.ts';
import { findAccountById, type AccountRow } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import { consumeToken, findUsableToken, insertOneTimeToken, updateTokenPayload } from '../../store/one-time-tokens.ts';
import { hashToken, looksLikeToken } from '../../platform/token-hash.ts';
import { originModel } from '../account-log/change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { queueMail } from '../notices/mail-queue.ts';
import { issueLink } from '../notices/one-time-links.ts';
import { recordRiskDecision } from '../risk/assessment.ts';
import { secondFactorsOf, verifySecondFactor } from '../second-factors/totp.ts';
import type { ActiveSession } from '../sessions/sessions.ts';
import type { SignInFactor } from '../../core/oidc/authentication-methods.ts';
import { finishSignIn } from './finish.ts';
import { assertNotThrottled, noteFailure, noteSuccess } from './throttle.ts';

/**
 * The pending sign-in: after the right password, when the risk engine or the account asks for more, a
 * second step (the account's TOTP, a recovery code, a passkey, or a code mailed to its verified address)
 * finishes it, from the same browser, within 10 minutes.
 */
/** How the pending sign-in is finished: the account's own second factor, or a code mailed to its verified address. */
export type SecondStepMethod = 'second-factor' | 'mail-code';

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

export async function startPendingSignIn(
  deps: ServiceDeps,
  account: AccountRow,
  pending: PendingSignIn,
  origin: RequestOrigin,
  assessment: RiskAssessment,
): Promise<string> {
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

async function queueSignInCode(
  trx: Executor,
  deps: ServiceDeps,
  account: AccountRow,
  code: string,
  origin: RequestOrigin,
): Promise<void> {
  const secureLink = await issueLink(trx, deps, {
    accountId: account.id,
    purpose: 'secure-account',
    recipient: account.email,
  });
  await queueMail(trx, deps, {
    to: account.email,
    locale: account.locale,
    accountId: account.id,
    message: {
      template: 'sign-in-code',
      model: { code, expiresMinutes: PENDING_TTL_MS / 60_000, secureLink, ...originModel(origin, deps.clock.now()) },
    },
  });
}

async function readPending(deps: ServiceDeps, pendingToken: string | undefined) {
  if (!looksLikeToken(pendingToken)) throw new DomainError('SIGN_IN_EXPIRED');
  const row = await findUsableToken(deps.db, hashToken(pendingToken), PENDING_PURPOSE, deps.clock.now().toISOString());
  const account = row ? await findAccountById(deps.db, row.account_id) : undefined;
  if (!row || !account || account.status !== 'active' || account.password_disabled_at)
    throw new DomainError('SIGN_IN_EXPIRED');
  return { row, account, pending: JSON.parse(row.payload ?? '{}') as PendingSignIn, pendingToken };
}

/** Which proof the pending sign-in waits for, and whether a passkey can give it (the page shows the matching form). */
export async function pendingMethod(
  deps: ServiceDeps,
  pendingToken: string | undefined,
): Promise<{ method: SecondStepMethod; passkey: boolean; totp: boolean }> {
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
      if (!(await consumeToken(trx, tokenHash, PENDING_PURPOSE, deps.clock.now().toISOString())))
        throw new DomainError('SIGN_IN_EXPIRED');
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
export async function resendSignInCode(
  deps: ServiceDeps,
  pendingToken: string | undefined,
  origin: RequestOrigin,
): Promise<void> {
  const { account, pending, row } = await readPending(deps, pendingToken);
  if (pending.method !== 'mail-code') throw new DomainError('SIGN_IN_EXPIRED');
  const code = deps.random.digits(MAIL_CODE_DIGITS);
  await deps.db.transaction().execute(async (trx) => {
    await updateTokenPayload(
      trx,
      row.id,
      JSON.stringify({ ...pending, codeHash: mailCodeHash(pendingToken ?? '', code), codeAttempts: 0 }),
    );
    await queueSignInCode(trx, deps, account, code, origin);
  });
  deps.mailQueued();
}
