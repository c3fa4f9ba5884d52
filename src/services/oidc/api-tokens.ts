import { createLocalJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { DomainError } from '../../core/errors.ts';
import { findOidcClient } from '../../store/oidc-clients.ts';
import { publicSigningKeys, SIGNING_ALG, type SigningKeyDeps } from './signing-keys.ts';

/** Who called Mamori's API with a client-credentials token, and what it may do. */
export interface ApiCaller {
  clientId: string;
  scopes: ReadonlySet<string>;
  /** A client-credentials token (`sub` is the client): the shop itself, not a customer through it. */
  asItself: boolean;
}

/**
 * Verifies the RFC 9068 JWT access tokens the provider issues for Mamori's API (`<issuer>/api`): signed
 * by a published key, this issuer, this audience, `at+jwt`, not expired, and from a client that still
 * exists (a removed shop's tokens stop at once). The keys are read once and again when a token names a
 * key not seen yet (after `mamori keys rotate`).
 */
export function apiTokenVerifier(deps: SigningKeyDeps & { config: { publicUrl: string } }) {
  let keys: Promise<ReturnType<typeof createLocalJWKSet>> | null = null;
  const load = async () => createLocalJWKSet({ keys: await publicSigningKeys(deps) });
  const verify = async (token: string, reloaded: boolean): Promise<JWTPayload> => {
    keys ??= load();
    try {
      const { payload } = await jwtVerify(token, await keys, {
        issuer: deps.config.publicUrl,
        audience: `${deps.config.publicUrl}/api`,
        typ: 'at+jwt',
        algorithms: [SIGNING_ALG],
        // Judged by the clock that issued it: oidc-provider stamps its tokens with the system time.
      });
      return payload;
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey && !reloaded) {
        keys = load();
        return verify(token, true);
      }
      throw new DomainError('UNAUTHENTICATED', { reason: 'the access token is not valid here' });
    }
  };
  return async (authorization: string | undefined): Promise<ApiCaller> => {
    // The scheme is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` are as good as `Bearer`.
    const token = /^Bearer +([A-Za-z0-9_.~+/-]+=*)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new DomainError('UNAUTHENTICATED', { reason: 'a Bearer access token is required' });
    const payload = await verify(token, false);
    const clientId = typeof payload.client_id === 'string' ? payload.client_id : null;
    if (!clientId || !(await findOidcClient(deps.db, clientId)))
      throw new DomainError('UNAUTHENTICATED', { reason: 'the access token is not valid here' });
    return {
      clientId,
      scopes: new Set(typeof payload.scope === 'string' ? payload.scope.split(' ') : []),
      asItself: payload.sub === clientId,
    };
  };
}
