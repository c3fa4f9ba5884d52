/** OpenID Connect Back-Channel Logout 1.0 §2.4: the one event a logout token carries. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** The outbox channel of logout tokens. */
export const LOGOUT_CHANNEL = 'backchannel-logout';

/** A logout token lives two minutes: long enough for clock skew, short enough to be useless if replayed. */
export const LOGOUT_TOKEN_TTL_SECONDS = 120;

/** What is queued for one shop: whom to sign out there, and the id it dedupes retries by. */
export interface LogoutOrder {
  clientId: string;
  sub: string;
  /** The shop session that ends (the `sid` its ID token carried); orders queued before issue 24 may lack it. */
  sid?: string;
  jti: string;
}

/** The token's claims, signed at each delivery attempt with the same `jti` so the shop accepts it once. */
export function logoutTokenClaims(order: LogoutOrder, issuer: string, nowSeconds: number): Record<string, unknown> {
  return {
    iss: issuer,
    aud: order.clientId,
    iat: nowSeconds,
    exp: nowSeconds + LOGOUT_TOKEN_TTL_SECONDS,
    jti: order.jti,
    sub: order.sub,
    ...(order.sid ? { sid: order.sid } : {}),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  };
}
