import { logoutTokenClaims, type LogoutOrder } from '../../core/oidc/logout-token.ts';
import type { TokenSigner } from './token-signer.ts';

/** Each delivery attempt signs anew with the order's `jti`, so the shop accepts it once. */
export function logoutTokenSigner(deps: { clock: { now(): Date }; config: { publicUrl: string } }, sign: TokenSigner) {
  return (order: LogoutOrder): Promise<string> =>
    sign(logoutTokenClaims(order, deps.config.publicUrl, Math.floor(deps.clock.now().getTime() / 1000)), 'logout+jwt');
}
