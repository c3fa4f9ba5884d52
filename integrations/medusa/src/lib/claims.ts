/** The shop's own customer id, carried in the ID token when Mamori imported the account from this shop. */
export const SHOP_CUSTOMER_ID_CLAIM = 'https://mamori.dev/claims/shopCustomerId';

/** What the `mamori` provider keeps on a customer's provider identity, from the latest sign-in. */
export interface MamoriUserMetadata {
  email: string | null;
  name: string | null;
  /** The sign-in Mamori names in its ID token: logout tokens and order reports refer to it. */
  sid: string | null;
  shop_customer_id: string | null;
  /** When the person signed in to Mamori for this sign-in: the ID token's `auth_time` (Mamori's clock, seconds). */
  authenticated_at: number | null;
  /** How many times Mamori had ended every sign-in of the account (`ended_all.count`) when this one began. */
  ended_all_seen: number;
}

/** Mamori ended every sign-in of the account: how many times so far, and when last (Mamori's clock, seconds). */
export interface EveryEnd {
  count: number;
  at: number;
}

/** Containment's marks on a provider identity: sign-ins under a revoked sid, or ended with every other, are dead. */
export interface MamoriRevocations {
  ended_all?: EveryEnd;
  revoked_sids?: string[];
  /** Set while Mamori says the account was hijacked (RISC account-disabled); no checkout until enabled. */
  disabled_since?: string | null;
}

export const PROVIDER_ID = 'mamori';

/** On a Medusa customer's metadata: the Mamori account (`sub`) it signs in with. */
export const MAMORI_SUB_KEY = 'mamori_sub';

/** Cache key prefix (plus the customer id) for who saved an address, read by the address hook. */
export const ADDRESS_CONTEXT_PREFIX = 'mamori:address-context:';
