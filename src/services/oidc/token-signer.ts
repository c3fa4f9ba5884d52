import { importJWK, SignJWT } from 'jose';
import { currentSigningKey, SIGNING_ALG, type SigningKeyDeps } from './signing-keys.ts';

/** Signs a JWT of the given `typ` with the provider's current key. */
export type TokenSigner = (claims: Record<string, unknown>, typ: string) => Promise<string>;

/**
 * The provider's current key, read once: a rotated key signs from the next start, like the provider's
 * own tokens. Logout tokens and security events are signed with it, so shops verify both at one JWKS.
 */
export function tokenSigner(deps: SigningKeyDeps): TokenSigner {
  let key: Promise<{ kid: string; key: CryptoKey | Uint8Array }> | null = null;
  const load = async () => {
    const jwk = await currentSigningKey(deps);
    return { kid: String(jwk.kid), key: await importJWK(jwk, SIGNING_ALG) };
  };
  return async (claims, typ) => {
    key ??= load();
    const signing = await key;
    return new SignJWT(claims).setProtectedHeader({ alg: SIGNING_ALG, kid: signing.kid, typ }).sign(signing.key);
  };
}
