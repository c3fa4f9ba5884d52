import { authenticationMethods, type SignInFactor } from '../../core/oidc/authentication-methods.ts';
import type { AccountRow } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import { deviceStanding, rememberDevice, type DeviceStanding } from '../../store/devices.ts';
import { describeDevice } from '../../platform/device.ts';
import { actorFrom, recordChange } from '../account-log/change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { recordSensitiveChange } from '../notices/security-notice.ts';
import { rememberSignInPlace } from '../risk/assessment.ts';
import { startSession } from '../sessions/sessions.ts';

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
  deps.log.info(
    { event: 'authn_login_success', accountId: account.id, factor, risk, ip: origin.ip },
    'authn_login_success',
  );
  return { ...result, noticeQueued };
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
  if (!origin.deviceId || device.firstSeenAt) return false;
  const firstDevice = !device.any;
  await rememberDevice(trx, account.id, origin.deviceId, deps.clock.now().toISOString());
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
