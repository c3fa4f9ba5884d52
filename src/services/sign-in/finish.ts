import { authenticationMethods, type SignInFactor } from '../../core/oidc/authentication-methods.ts';
import type { AccountRow } from '../../store/accounts.ts';
import type { RiskAssessment } from '../../core/risk/evaluate.ts';
import { sqliteAtOnce, type Executor } from '../../store/database.ts';
import { deviceStanding, rememberDevice, type DeviceStanding } from '../../store/devices.ts';
import { insertRiskDecision, rememberLocationNow } from '../../store/risk.ts';
import { describeDevice } from '../../platform/device.ts';
import { actorFrom, recordChange } from '../account-log/change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { recordSensitiveChange } from '../notices/security-notice.ts';
import { logRiskDecision, rememberSignInPlace, riskDecisionRow } from '../risk/assessment.ts';
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
  const decision = { accountId: account.id, action: 'sign-in', assessment, origin };
  let result: { token: string; session: ActiveSession } | undefined;
  const done = sqliteAtOnce(deps.db, (atOnce) => {
    insertRiskDecision.now(atOnce, riskDecisionRow(deps, decision));
    result = startSessionNow(atOnce, deps, account.id, origin, 'allow', authenticationMethods('password'));
    if (origin.country) rememberLocationNow(atOnce, account.id, origin.country, deps.clock.now().toISOString());
  });
  if (!done || !result) return undefined;
  logRiskDecision(deps, decision);
  logSignIn(deps, account, origin, 'allow', 'password');
  return { ...result, noticeQueued: false };
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
