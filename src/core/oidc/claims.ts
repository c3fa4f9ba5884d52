/**
 * The irreversible-actions hold (DESIGN 2 C step 6) as a claim: until then the shop should refuse gift
 * cards, payouts and a new card shipping to a new address. A collision-resistant name (RFC 7519 §4.2)
 * that is the same for every Mamori install, so a shop's code need not know the issuer.
 */
export const HOLD_CLAIM = 'https://mamori.dev/claims/irreversibleActionsUntil';

/**
 * The importing shop's own customer id (issue 26): only the client that imported the account gets it, so
 * a shop finds its customer without a mapping table and another shop never learns it.
 */
export const SHOP_CUSTOMER_ID_CLAIM = 'https://mamori.dev/claims/shopCustomerId';

/** Claims by scope (OpenID Connect Core §5.4), plus the hold, which every shop gets. */
export const CLAIMS_BY_SCOPE = {
  openid: ['sub', 'auth_time', 'acr', 'amr', HOLD_CLAIM, SHOP_CUSTOMER_ID_CLAIM],
  email: ['email', 'email_verified'],
  profile: ['name', 'locale'],
} as const;

export interface AccountClaimSource {
  id: string;
  email: string;
  emailVerifiedAt: string | null;
  name: string;
  locale: string;
  irreversibleHoldUntil: string | null;
  /** The asking client's own id for this customer, when that client imported her; null for every other. */
  shopCustomerId?: string | null;
}

/** Every claim the account can give; the provider keeps those the granted scopes allow. */
export function accountClaims(account: AccountClaimSource, now: Date): Record<string, unknown> {
  const hold = account.irreversibleHoldUntil && new Date(account.irreversibleHoldUntil) > now;
  return {
    sub: account.id,
    email: account.email,
    email_verified: account.emailVerifiedAt !== null,
    name: account.name,
    locale: account.locale,
    [HOLD_CLAIM]: hold ? Math.floor(new Date(account.irreversibleHoldUntil as string).getTime() / 1000) : null,
    ...(account.shopCustomerId ? { [SHOP_CUSTOMER_ID_CLAIM]: account.shopCustomerId } : {}),
  };
}
