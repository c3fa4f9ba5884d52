import type { JWTPayload } from 'jose' with { 'resolution-mode': 'import' };
import type { MamoriSettings } from './settings';

/** jose is an ES module; this code is loaded as CommonJS, so it is imported when first needed. */
const jose = () => import('jose');

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export class TokenRefused extends Error {
  override name = 'TokenRefused';
}

export interface LogoutOrder {
  jti: string;
  /** When Mamori issued it (its `iat`, Mamori's clock, seconds). */
  issuedAt: number;
  sub?: string;
  sid?: string;
}

export interface SecurityEvent {
  jti: string;
  type: string;
  event: Record<string, unknown>;
  /** Mamori's `sub` for the account, when the subject is given as iss_sub. */
  sub: string | null;
  /** When it happened at Mamori: the event's `event_timestamp`, else the SET's `iat` (Mamori's clock, seconds). */
  occurredAt: number;
}

let keySets = new Map<string, ReturnType<Awaited<ReturnType<typeof jose>>['createRemoteJWKSet']>>();

/** Checks what Mamori signs with its published keys: addressed to this store, from this issuer, of this `typ`. */
async function verified(settings: MamoriSettings, token: string, typ: string, maxTokenAge?: string) {
  if (typeof token !== 'string' || token.length === 0 || token.length > 16_384) throw new TokenRefused('not a token');
  const { createRemoteJWKSet, jwtVerify } = await jose();
  const jwksUrl = `${settings.issuer}/oidc/jwks`;
  let keys = keySets.get(jwksUrl);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(jwksUrl));
    keySets = new Map(keySets).set(jwksUrl, keys);
  }
  try {
    const { payload } = await jwtVerify(token, keys, {
      issuer: settings.issuer,
      audience: settings.clientId,
      typ,
      ...(maxTokenAge ? { maxTokenAge } : {}),
    });
    return payload;
  } catch (error) {
    throw new TokenRefused(`did not verify: ${error instanceof Error ? error.message : 'unknown'}`);
  }
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
const seconds = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** RFC 8417 §2.2 and Back-Channel Logout §2.4 both require `iat`: the receiver orders events by it. */
function issuedAt(payload: JWTPayload): number {
  const iat = seconds(payload.iat);
  if (iat === undefined) throw new TokenRefused('no iat');
  return iat;
}

/** OpenID Connect Back-Channel Logout 1.0 §2.6: the logout event, a jti, no nonce, sub or sid, at most 5 minutes old. */
export async function verifyLogoutToken(settings: MamoriSettings, token: string): Promise<LogoutOrder> {
  const payload: JWTPayload = await verified(settings, token, 'logout+jwt', '5 minutes');
  const events = payload.events as Record<string, unknown> | undefined;
  if (!events || typeof events !== 'object' || !(LOGOUT_EVENT in events)) throw new TokenRefused('not a logout event');
  if ('nonce' in payload) throw new TokenRefused('a logout token has no nonce');
  const jti = text(payload.jti);
  const sub = text(payload.sub);
  const sid = text(payload.sid);
  if (!jti) throw new TokenRefused('no jti');
  if (!sub && !sid) throw new TokenRefused('neither sub nor sid');
  return { jti, issuedAt: issuedAt(payload), ...(sub ? { sub } : {}), ...(sid ? { sid } : {}) };
}

/** A Security Event Token (RFC 8417, SSF 1.0): exactly one event, the subject in sub_id, no sub or exp. */
export async function verifySecurityEvent(settings: MamoriSettings, token: string): Promise<SecurityEvent> {
  const payload = await verified(settings, token, 'secevent+jwt');
  const events = payload.events as Record<string, Record<string, unknown>> | undefined;
  const types = events && typeof events === 'object' ? Object.keys(events) : [];
  const [type] = types;
  if (types.length !== 1 || !type) throw new TokenRefused('a SET carries exactly one event');
  if ('sub' in payload || 'exp' in payload) throw new TokenRefused('a SET names its subject in sub_id, without exp');
  const jti = text(payload.jti);
  if (!jti) throw new TokenRefused('no jti');
  const subject = payload.sub_id as { format?: string; sub?: string } | undefined;
  const event = events?.[type] ?? {};
  return {
    jti,
    type,
    event,
    sub: subject?.format === 'iss_sub' ? (text(subject.sub) ?? null) : null,
    occurredAt: seconds(event.event_timestamp) ?? issuedAt(payload),
  };
}
