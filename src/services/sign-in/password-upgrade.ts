import { DomainError, isDomainError } from '../../core/errors.ts';
import { parsePasswordUpgrade, passwordUpgradeFor, type PasswordUpgrade } from '../../core/password-upgrade.ts';
import { clearPasswordSuggestion, type AccountRow } from '../../store/accounts.ts';
import { applyPasswordChange } from '../account/credentials.ts';
import { requireAccount } from '../account/profile.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { hasSecondFactor } from '../second-factors/totp.ts';
import { assertPrivileged, refreshAuthentication, type ActiveSession } from '../sessions/sessions.ts';

/**
 * How far an imported password that was just proven falls short of the policy a new one must meet, or of
 * being safe at all (`fromWeakHash`: the shop kept it as a fast digest, so its old database gives it away).
 */
export function passwordUpgradeNeeded(
  deps: ServiceDeps,
  account: AccountRow,
  password: string,
  fromWeakHash: boolean,
): PasswordUpgrade | null {
  let meetsPolicy = true;
  try {
    deps.strength.assertAcceptable(password, {
      shopName: deps.config.shopName,
      email: account.email,
      name: account.name,
    });
  } catch (error) {
    if (!isDomainError(error)) throw error;
    meetsPolicy = false;
  }
  return passwordUpgradeFor({ onCommonList: deps.strength.isBlocklisted(password), meetsPolicy, fromWeakHash });
}

export async function pendingPasswordUpgrade(deps: ServiceDeps, accountId: string): Promise<PasswordUpgrade | null> {
  return parsePasswordUpgrade((await requireAccount(deps.db, accountId)).password_upgrade);
}

/**
 * The new password asked for after an imported one that falls short. Not held for the young-session delay
 * like a change from the account page: the old password is the weak one, and waiting would keep it in use.
 * It is a password change all the same: logged and announced to the address with "This wasn't me"; a
 * password on the common list also ends every other session. Returns this session's new token.
 */
export async function chooseUpgradedPassword(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  newPassword: string,
): Promise<string> {
  assertPrivileged(deps, session);
  const account = await requireAccount(deps.db, session.accountId);
  const upgrade = parsePasswordUpgrade(account.password_upgrade);
  if (!upgrade) throw new DomainError('FORBIDDEN');
  deps.strength.assertAcceptable(newPassword, {
    shopName: deps.config.shopName,
    email: account.email,
    name: account.name,
    hasSecondFactor: await hasSecondFactor(deps.db, account.id),
  });
  const passwordHash = await deps.hasher.hash(newPassword);
  const token = await deps.db.transaction().execute(async (trx) => {
    await applyPasswordChange(
      trx,
      deps,
      account,
      { ...origin, sessionId: session.id },
      {
        passwordHash,
        signOutOthers: upgrade === 'required',
      },
    );
    return refreshAuthentication(trx, deps, session);
  });
  deps.mailQueued();
  return token;
}

/** "Later": only a suggestion may wait; a password on the common list may not. */
export async function postponePasswordUpgrade(deps: ServiceDeps, session: ActiveSession): Promise<void> {
  if (await clearPasswordSuggestion(deps.db, session.accountId)) return;
  if ((await pendingPasswordUpgrade(deps, session.accountId)) === 'required')
    throw new DomainError('PASSWORD_CHANGE_REQUIRED');
}
