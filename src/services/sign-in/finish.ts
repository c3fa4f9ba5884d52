import { authenticationMethods, type SignInFactor } from '../../core/oidc/authentication-methods.ts';
import type { AccountRow } from '../../store/accounts.ts';
import type { RiskAssessment } from '../../core/risk/evaluate.ts';
import { sqliteAtOnce, type AtOnce, type Executor } from '../../store/database.ts';
import { deviceStanding, rememberDevice, type DeviceStanding } from '../../store/devices.ts';
import { insertRiskDecision, rememberLocationNow } from '../../store/risk.ts';
import { describeDevice } from '../../platform/device.ts';
import { actorFrom, recordChange } from '../account-log/change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { recordSensitiveChange } from '../notices/security-notice.ts';
import {
  assessWithReadsNow,
  logRiskDecision,
  rememberSignInPlace,
  riskDecisionRow,
  type AssessedWithReads,
  type RiskContext,
} from '../risk/assessment.ts';
import { startSession, startSessionNow, type ActiveSession } from '../sessions/sessions.ts';

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
  const result = await startSession(trx, deps, account.id, origin, risk, authenticationMethods(factor));
  const noticeQueued = await noteDevice(
    trx,
    deps,
    account,
    { ...origin, sessionId: result.session.id },
    device ?? (await deviceStanding(trx, account.id, origin.deviceId)),
  );
  await rememberSignInPlace(trx, deps, account.id, origin);
  logSignIn(deps, account, origin, risk, factor);
  return { ...result, noticeQueued };
}

/**
 * The password step's allowed sign-in (its risk decision, then finishSignIn) when the writes are rows only,
 * the browser being known or without a device cookie (no notice): on SQLite, one transaction run at once
 * (sqliteAtOnce). Undefined, with nothing written, where that cannot be (PostgreSQL, the connection held,
 * a new browser): the caller takes finishSignIn in a transaction.
 */
export function finishAllowedSignInAtOnce(
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  assessment: RiskAssessment,
  device: DeviceStanding,
) {
  if (browserNewToAccount(origin, device)) return undefined;
  let result: StartedAtOnce | undefined;
  const done = sqliteAtOnce(deps.db, (atOnce) => {
    result = writeAllowedSignInNow(atOnce, deps, account, origin, assessment);
  });
  if (!done || !result) return undefined;
  logAllowedSignIn(deps, account, origin, assessment);
  return result;
}

/**
 * On SQLite, the password step after the hash in one transaction run at once: the risk engine's reads, its
 * decision, and when it lets the browser in at once (allowed, no second factor, a known browser or none) the
 * sign-in's writes, on the reads of that same transaction (one read transaction fewer than reading first).
 * Undefined where it cannot run (as sqliteAtOnce); `started` undefined, with nothing written, where the
 * decision asks for more (a refusal, a second step, a new browser's notice): the caller goes on from `assessed`.
 */
export function assessAndFinishAtOnce(
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  context: RiskContext,
): { assessed: AssessedWithReads; started: StartedAtOnce | undefined } | undefined {
  let assessed: AssessedWithReads | undefined;
  let started: StartedAtOnce | undefined;
  const done = sqliteAtOnce(
    deps.db,
    (atOnce) => {
      assessed = assessWithReadsNow(atOnce, deps, account, origin, context);
      const { assessment, device, secondFactor } = assessed;
      if (assessment.decision !== 'allow' || secondFactor || browserNewToAccount(origin, device)) return;
      started = writeAllowedSignInNow(atOnce, deps, account, origin, assessment);
    },
    'immediate',
  );
  if (!done || !assessed) return undefined;
  if (started) logAllowedSignIn(deps, account, origin, assessed.assessment);
  return { assessed, started };
}

type StartedAtOnce = { token: string; session: ActiveSession; noticeQueued: false };

/** The allowed sign-in's rows: its risk decision, the session, the country among the account's places. */
function writeAllowedSignInNow(
  atOnce: AtOnce,
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  assessment: RiskAssessment,
): StartedAtOnce {
  insertRiskDecision.now(atOnce, riskDecisionRow(deps, signInDecision(account, origin, assessment)));
  const result = startSessionNow(atOnce, deps, account.id, origin, 'allow', authenticationMethods('password'));
  if (origin.country) rememberLocationNow(atOnce, account.id, origin.country, deps.clock.now().toISOString());
  return { ...result, noticeQueued: false };
}

const signInDecision = (account: AccountRow, origin: RequestOrigin, assessment: RiskAssessment) => ({
  accountId: account.id,
  action: 'sign-in',
  assessment,
  origin,
});

/** Logged once the transaction has committed. */
function logAllowedSignIn(deps: ServiceDeps, account: AccountRow, origin: RequestOrigin, assessment: RiskAssessment) {
  logRiskDecision(deps, signInDecision(account, origin, assessment));
  logSignIn(deps, account, origin, 'allow', 'password');
}

function logSignIn(
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  risk: 'allow' | 'challenge',
  factor: SignInFactor,
): void {
  deps.log.info(
    { event: 'authn_login_success', accountId: account.id, factor, risk, ip: origin.ip },
    'authn_login_success',
  );
}

/** The browser's device id when it carries one the account has not signed in from before: its sign-in is noted. */
function browserNewToAccount(origin: RequestOrigin, device: DeviceStanding): string | undefined {
  return origin.deviceId && !device.firstSeenAt ? origin.deviceId : undefined;
}

/**
 * A sign-in from a browser the account has not used before is a sensitive change: logged and announced
 * with a "This wasn't me" link. The account's very first device is only remembered.
 */
async function noteDevice(
  trx: Executor,
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  device: DeviceStanding,
): Promise<boolean> {
  const deviceId = browserNewToAccount(origin, device);
  if (!deviceId) return false;
  const firstDevice = !device.any;
  await rememberDevice(trx, account.id, deviceId, deps.clock.now().toISOString());
  const change = {
    kind: 'new-device-sign-in' as const,
    actor: actorFrom(origin),
    after: { device: describeDevice(origin.userAgent), ip: origin.ip },
  };
  if (firstDevice) {
    await recordChange(trx, deps, { accountId: account.id, ...change });
    return false;
  }
  await recordSensitiveChange(trx, deps, account, change);
  return true;
}
