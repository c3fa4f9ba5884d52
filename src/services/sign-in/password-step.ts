import { addMs, HOUR_MS } from '../../core/clock.ts';
import { DomainError } from '../../core/errors.ts';
import { normalizeEmail } from '../../core/email-address.ts';
import type { RiskAssessment } from '../../core/risk/evaluate.ts';
import { findAccountByEmail, type AccountRow } from '../../store/accounts.ts';
import { sqliteWriteTransaction } from '../../store/database.ts';
import { deniedSince } from '../../store/risk.ts';
import { originModel } from '../account-log/change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { queueMail } from '../notices/mail-queue.ts';
import { issueLink } from '../notices/one-time-links.ts';
import { verificationPayload } from '../account/registration.ts';
import { assessWithReads, recordRiskDecision } from '../risk/assessment.ts';
import { sessionAccountOf, type ActiveSession } from '../sessions/sessions.ts';
import { assessAndFinishAtOnce, finishAllowedSignInAtOnce, finishSignIn } from './finish.ts';
import { accountForPassword } from './password-check.ts';
import { accountFromLegacySystem } from './legacy-sign-in.ts';
import { startPendingSignIn, type SecondStepMethod } from './second-step.ts';
import { assertNotThrottled, noteFailure, noteSuccess, type SignInSubject } from './throttle.ts';

export type SignInResult =
  | { kind: 'signed-in'; token: string; session: ActiveSession }
  | { kind: 'second-step'; pendingToken: string; method: SecondStepMethod };

/**
 * The password step: the risk engine decides whether it signs in, asks for a second step, or refuses.
 * `subject`: the account this request already read for the same address, if any.
 */
export async function signIn(
  deps: ServiceDeps,
  input: { email: string; password: string; returnTo?: string },
  origin: RequestOrigin,
  subject?: SignInSubject,
): Promise<SignInResult> {
  const email = normalizeEmail(input.email);
  const read = subject?.email === email && subject.ip === origin.ip ? subject : undefined;
  const account = read ? read.account : await findAccountByEmail(deps.db, email);
  const failuresSoFar = await assertNotThrottled(deps, email, account, origin, read);
  // Live trickle migration (issue 26): only an address Mamori does not know is asked about.
  const verified =
    !account && deps.legacySignIn
      ? await accountFromLegacySystem(deps, deps.legacySignIn, email, input.password)
      : await accountForPassword(deps, account, input.password);
  if (!verified) {
    await noteFailure(deps.db, deps, email, account, origin);
    throw new DomainError('INVALID_CREDENTIALS');
  }
  if (!verified.email_verified_at) {
    // Only someone who knows the password learns this, so it reveals nothing to a guesser.
    await deps.db.transaction().execute(async (trx) => {
      const link = await issueLink(trx, deps, {
        accountId: verified.id,
        purpose: 'verify-email',
        payload: verificationPayload(input.returnTo),
      });
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

  // Read again after the hash (with the risk engine's reads), not taken from the request's first read: a
  // browser the owner forgot while the hash ran must not sign in on the standing it had before. On SQLite
  // the reads, the decision and an allowed sign-in's writes are one transaction (assessAndFinishAtOnce).
  const context = { action: 'sign-in' as const, passwordBlocklisted: deps.strength.isBlocklisted(input.password) };
  const atOnce = assessAndFinishAtOnce(deps, verified, origin, context);
  const { assessment, device, secondFactor } =
    atOnce?.assessed ?? (await assessWithReads(deps, verified, origin, context));
  deps.metrics.signInDecision(assessment.decision);
  if (assessment.decision === 'deny') {
    await denySignIn(deps, verified, assessment, origin);
    // The same answer as a wrong password: a stuffing run must not learn which passwords were right.
    throw new DomainError('INVALID_CREDENTIALS');
  }
  const risk = assessment.decision;
  const method: SecondStepMethod | null = secondFactor ? 'second-factor' : risk === 'challenge' ? 'mail-code' : null;
  if (method) {
    const pendingToken = await startPendingSignIn(
      deps,
      verified,
      { method, risk, codeAttempts: 0 },
      origin,
      assessment,
    );
    return { kind: 'second-step', pendingToken, method };
  }
  // With a second factor the count is reset only when the second step passes too: codes share it.
  // Its compiled writes (the decision, the session) run straight on SQLite's connection: at once when they
  // are rows only, else in sqliteWriteTransaction.
  const started =
    atOnce?.started ??
    finishAllowedSignInAtOnce(deps, verified, origin, assessment, device) ??
    (await sqliteWriteTransaction(deps.db, async (trx) => {
      await recordRiskDecision(trx, deps, { accountId: verified.id, action: 'sign-in', assessment, origin });
      return finishSignIn(trx, deps, verified, origin, 'allow', 'password', device);
    }));
  if (failuresSoFar > 0) await noteSuccess(deps.db, email);
  // Waking the worker runs its whole pass; a returning browser's sign-in queues nothing to deliver.
  if (started.noticeQueued) deps.mailQueued();
  // What the session check would read of the account with it: the shop's sign-in goes on from here.
  const session = { ...started.session, account: sessionAccountOf(verified) };
  return { kind: 'signed-in', token: started.token, session };
}

/**
 * The right password from somewhere the engine refuses: the owner is told (once an hour at most) that
 * their password is known, from where, and how to set a new one. Nothing is locked.
 */
async function denySignIn(
  deps: ServiceDeps,
  account: AccountRow,
  assessment: RiskAssessment,
  origin: RequestOrigin,
): Promise<void> {
  const since = addMs(deps.clock.now(), -HOUR_MS).toISOString();
  const notify = !(await deniedSince(deps.db, account.id, since));
  await deps.db.transaction().execute(async (trx) => {
    await recordRiskDecision(trx, deps, { accountId: account.id, action: 'sign-in', assessment, origin });
    if (notify) {
      await queueMail(trx, deps, {
        to: account.email,
        locale: account.locale,
        accountId: account.id,
        message: {
          template: 'sign-in-blocked',
          model: { resetLink: `${deps.config.publicUrl}/forgot-password`, ...originModel(origin, deps.clock.now()) },
        },
      });
    }
  });
  deps.log.warn(
    { event: 'authn_login_fail', reason: 'risk_denied', accountId: account.id, ip: origin.ip },
    'authn_login_fail',
  );
  if (notify) deps.mailQueued();
}
