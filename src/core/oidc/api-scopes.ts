/**
 * Mamori's API scopes (the resource `<issuer>/api`): reading an account's security state, managing (or
 * reading) a Shared Signals stream (SSF §8), reporting the shop's own changes, answering what
 * containment asked the shop to undo, and bringing the shop's customers in (imports).
 */
export const API_SCOPES = [
  'account:read',
  'ssf.manage',
  'ssf.read',
  'shop-changes:write',
  'undo-requests:answer',
  'accounts:import',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/**
 * What a customer may hand a shop through a sign-in (authorization code, then its refresh tokens). The
 * rest manage the shop's integration with Mamori (its stream, its reports, its answers to undo
 * requests): a shop holds them as itself, by client credentials, never because a shopper clicked
 * "Allow" (issue 24 §5). Nothing here is shown on the consent page without words a shopper understands.
 */
export const CUSTOMER_API_SCOPES = ['account:read'] as const satisfies readonly ApiScope[];
export type CustomerApiScope = (typeof CUSTOMER_API_SCOPES)[number];

/** The API scopes a token may carry, by how it was obtained: the grant type of the token request. */
export function apiScopesFor(grantType: string | undefined): readonly ApiScope[] {
  return grantType === 'client_credentials' ? API_SCOPES : CUSTOMER_API_SCOPES;
}

/**
 * OpenID scopes asked in a sign-in, split into those a customer can grant and the API scopes, which mean
 * something only on the API resource (where the resource server decides which apply) and are refused
 * as plain OpenID scopes.
 */
export function splitOpenIdScopes(asked: readonly string[]): { granted: string[]; refused: string[] } {
  const api = new Set<string>(API_SCOPES);
  return { granted: asked.filter((s) => !api.has(s)), refused: asked.filter((s) => api.has(s)) };
}
