/** The shop's own customer id, carried in the ID token when Mamori imported the account from this shop. */
export const SHOP_CUSTOMER_ID_CLAIM = 'https://mamori.dev/claims/shopCustomerId';

/** What the `mamori` provider keeps on a customer's provider identity, from the latest sign-in. */
export interface MamoriUserMetadata {
  email: string | null;
  name: string | null;
  /** The sign-in Mamori names in its ID token: logout tokens and order reports refer to it. */
  sid: string | null;
  shop_customer_id: string | null;
}

/** Containment's marks on a provider identity: tokens issued before `not_before` or under a revoked sid are dead. */
export interface MamoriRevocations {
  not_before?: number;
  revoked_sids?: string[];
  /** Set while Mamori says the account was hijacked (RISC account-disabled); no checkout until enabled. */
  disabled_since?: string | null;
}

export const PROVIDER_ID = 'mamori';

/** On a Medusa customer's metadata: the Mamori account (`sub`) it signs in with. */
export const MAMORI_SUB_KEY = 'mamori_sub';

/** Cache key prefix (plus the customer id) for who saved an address, read by the address hook. */
export const ADDRESS_CONTEXT_PREFIX = 'mamori:address-context:';
