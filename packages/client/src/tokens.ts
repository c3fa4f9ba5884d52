import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

/**
 * Verifying what Mamori signs, as a shop's backend receives it: ID tokens, back-channel logout tokens
 * (OpenID Connect Back-Channel Logout 1.0) and security events (RFC 8417 SETs, OpenID Shared Signals).
 * The issuer's keys are fetched once and kept; a token signed with a key not yet seen (after
 * `mamori keys rotate`) makes the key set be fetched again, at most once every 30 seconds.
 */
export interface VerifierOptions {
  /** Mamori's issuer, e.g. https://id.shop.example (its MAMORI_PUBLIC_URL). */
  issuer: string;
  /** This shop's client id: every token must be addressed to it. */
  clientId: string;
  /** The shop's clock, for tests; the system clock otherwise. */
  now?: () => Date;
  /** Where the key set is; by default the issuer's `/oidc/jwks`. */
  jwksUri?: string;
  /** After a fetch, how long an unknown key does not cause another (default 30 s, jose's). */
  jwksCooldownMs?: number;
}

export const HOLD_CLAIM = 'https://mamori.dev/claims/irreversibleActionsUntil';
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface IdTokenClaims extends JWTPayload {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  locale?: string;
  /** Names this sign-in: send it with the changes you report, so Mamori can tell the owner's from an intruder's. */
  sid?: string;
  auth_time?: number;
  acr?: string;
  amr?: string[];
  [HOLD_CLAIM]?: number;
}

export interface LogoutOrder {
  jti: string;
  /** Every session of this account, when there is no `sid`. */
  sub?: string;
  /** Only the sessions of this sign-in. */
  sid?: string;
}

export type Subject =
  | { format: 'iss_sub'; iss: string; sub: string }
  | { format: 'email'; email: string }
  | { format: 'opaque'; id: string };

export interface SecurityEvent {
  jti: string;
  /** The event type URI, e.g. https://schemas.openid.net/secevent/risc/event-type/account-disabled */
  type: string;
  /** The event's own claims (`reason`, `new-value`, `request_id`, …). */
  event: Record<string, unknown>;
  subject: Subject;
  /** The incident the event belongs to: every event of one containment shares it. */
  txn?: string;
  issuedAt: number;
}

/** Why a token was refused, in words a log can carry (never the token itself). */
export class TokenRefused extends Error {
  override name = 'TokenRefused';
}

export function tokenVerifier(options: VerifierOptions) {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri ?? `${options.issuer.replace(/\/+$/, '')}/oidc/jwks`), {
    ...(options.jwksCooldownMs === undefined ? {} : { cooldownDuration: options.jwksCooldownMs }),
  });
  const verify = async (token: string, typ: string | undefined, maxTokenAge?: string) => {
    if (typeof token !== 'string' || token.length === 0 || token.length > 16_384) throw new TokenRefused('not a token');
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.clientId,
        ...(typ ? { typ } : {}),
        ...(maxTokenAge ? { maxTokenAge } : {}),
        ...(options.now ? { currentDate: options.now() } : {}),
      });
      return payload;
    } catch (error) {
      throw new TokenRefused(`the token did not verify: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return {
    /** An ID token from the code flow; pass the nonce you sent. */
    async idToken(token: string, expected: { nonce?: string } = {}): Promise<IdTokenClaims> {
      const payload = await verify(token, undefined);
      if (typeof payload.sub !== 'string') throw new TokenRefused('no sub');
      if (expected.nonce !== undefined && payload.nonce !== expected.nonce) throw new TokenRefused('nonce mismatch');
      return payload as IdTokenClaims;
    },

    /** A logout token (§2.4): `typ` logout+jwt, the logout event, a `jti`, no `nonce`, `sub` or `sid`, at most 5 minutes old. */
    async logoutToken(token: string): Promise<LogoutOrder> {
      const payload = await verify(token, 'logout+jwt', '5 minutes');
      const events = payload.events as Record<string, unknown> | undefined;
      if (!events || typeof events !== 'object' || !(LOGOUT_EVENT in events))
        throw new TokenRefused('not a logout event');
      if ('nonce' in payload) throw new TokenRefused('a logout token has no nonce');
      if (typeof payload.jti !== 'string') throw new TokenRefused('no jti');
      const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
      const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
      if (!sub && !sid) throw new TokenRefused('neither sub nor sid');
      return { jti: payload.jti, ...(sub ? { sub } : {}), ...(sid ? { sid } : {}) };
    },

    /** A SET (SSF §4): `typ` secevent+jwt, one event, the subject in `sub_id`, no `sub` or `exp`. */
    async securityEvent(token: string): Promise<SecurityEvent> {
      const payload = await verify(token, 'secevent+jwt');
      const events = payload.events as Record<string, Record<string, unknown>> | undefined;
      const types = events && typeof events === 'object' ? Object.keys(events) : [];
      const [type] = types;
      if (types.length !== 1 || !type) throw new TokenRefused('a SET carries exactly one event');
      if ('sub' in payload || 'exp' in payload)
        throw new TokenRefused('a SET names its subject in sub_id, without exp');
      if (typeof payload.jti !== 'string' || typeof payload.iat !== 'number') throw new TokenRefused('no jti or iat');
      const subject = payload.sub_id as Subject | undefined;
      if (!subject || typeof subject !== 'object' || typeof subject.format !== 'string')
        throw new TokenRefused('no sub_id');
      return {
        jti: payload.jti,
        type,
        event: events?.[type] ?? {},
        subject,
        ...(typeof payload.txn === 'string' ? { txn: payload.txn } : {}),
        issuedAt: payload.iat,
      };
    },
  };
}
