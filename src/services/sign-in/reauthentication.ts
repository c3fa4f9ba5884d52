import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { refreshAuthentication, type ActiveSession } from '../sessions/sessions.ts';
import { assertCurrentPassword } from './password-check.ts';

/** Confirms the password again for a sensitive action; returns the session's new token. */
export async function reauthenticate(
  deps: ServiceDeps,
  session: ActiveSession,
  password: string,
  origin: RequestOrigin,
): Promise<string> {
  await assertCurrentPassword(deps, session.accountId, password, origin);
  return deps.db.transaction().execute((trx) => refreshAuthentication(trx, deps, session));
}
