import { accountClaims } from '../../core/oidc/claims.ts';
import { findAccountForClient } from '../../store/imported-accounts.ts';
import type { OidcSessionLink } from '../../store/oidc-session-links.ts';
import type { ServiceDeps } from '../deps.ts';
import { resolveSession } from '../sessions/sessions.ts';

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
export async function providerSessionStands(
  deps: ServiceDeps,
  provider: { uid: string; accountId: string | undefined },
  sessionToken: string | undefined,
): Promise<OidcSessionLink | null> {
  if (!provider.accountId) return null;
  const session = await resolveSession(deps, sessionToken);
  if (!session || session.accountId !== provider.accountId) return null;
  return {
    oidcSessionUid: provider.uid,
    sessionId: session.id,
    accountId: session.accountId,
    at: deps.clock.now().toISOString(),
  };
}
