import { importJWK, SignJWT } from 'jose';
import { logoutTokenClaims, type LogoutOrder } from '../../core/oidc/logout-token.ts';
import { currentSigningKey, SIGNING_ALG, type SigningKeyDeps } from './signing-keys.ts';

/**
 * Signs logout tokens with the provider's current key (read once: a rotated key signs from the next
 * start, like the provider's own tokens). Each delivery attempt signs anew with the order's `jti`.
 */
export function logoutTokenSigner(deps: SigningKeyDeps & { config: { publicUrl: string } }) {
  let key: Promise<{ kid: string; key: CryptoKey | Uint8Array }> | null = null;
  const load = async () => {
    const jwk = await currentSigningKey(deps);
    return { kid: String(jwk.kid), key: await importJWK(jwk, SIGNING_ALG) };
  };
  return async (order: LogoutOrder): Promise<string> => {
    key ??= load();
    const signing = await key;
    const now = Math.floor(deps.clock.now().getTime() / 1000);
    return new SignJWT(logoutTokenClaims(order, deps.config.publicUrl, now))
      .setProtectedHeader({ alg: SIGNING_ALG, kid: signing.kid, typ: 'logout+jwt' })
      .sign(signing.key);
  };
}
