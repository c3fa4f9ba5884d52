import { accountClaims } from '../../core/oidc/claims.ts';
import { findAccountForClient } from '../../store/imported-accounts.ts';
import type { OidcSessionLink } from '../../store/oidc-session-links.ts';
import type { ServiceDeps } from '../deps.ts';
import { resolveSession, type ActiveSession } from '../sessions/sessions.ts';

/**
 * The account behind a token or a sign-in, only while it is usable: a locked (contained) or missing
 * account yields nothing, so the provider refuses the authorization, the refresh and userinfo alike.
 * The shop's own customer id is looked up for the asking client only.
 */
export async function usableAccountClaims(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  accountId: string,
  clientId?: string,
): Promise<Record<string, unknown> | null> {
  const account = await findAccountForClient(deps.db, accountId, clientId);
  if (!account || account.status !== 'active') return null;
  return accountClaims(
    {
      id: account.id,
      email: account.email,
      emailVerifiedAt: account.email_verified_at,
      name: account.name,
      locale: account.locale,
      irreversibleHoldUntil: account.irreversible_hold_until,
      shopCustomerId: account.shop_customer_id ?? null,
    },
    deps.clock.now(),
  );
}

/**
 * The provider's sign-in rides on a Mamori session: it stands only while the browser's Mamori session is
 * live and belongs to the same account. When it does, the link to write (the provider session onto that
 * session), so ending that session later logs it out of the shops it signed into.
 */
export function providerSessionStands(
  deps: Pick<ServiceDeps, 'clock'>,
  provider: { uid: string; accountId: string | undefined },
  session: ActiveSession | null,
): OidcSessionLink | null {
  if (!provider.accountId || !session || session.accountId !== provider.accountId) return null;
  return {
    oidcSessionUid: provider.uid,
    sessionId: session.id,
    accountId: session.accountId,
    at: deps.clock.now().toISOString(),
  };
}

/**
 * The browser's Mamori session as one provider request sees it: read once (with its account, in one
 * statement), however many of the request's steps ask. Keyed by the request, so nothing outlives it.
 */
export function browserSessionOnce(
  deps: ServiceDeps,
): (request: object, token: string | undefined) => Promise<ActiveSession | null> {
  const read = new WeakMap<object, Promise<ActiveSession | null>>();
  return (request, token) => {
    let session = read.get(request);
    if (!session) {
      session = resolveSession(deps, token);
      read.set(request, session);
    }
    return session;
  };
}
