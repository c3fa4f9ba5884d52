import type { FastifyReply } from 'fastify';
import { imageSources } from '../core/oidc/client-branding.ts';

const IMAGE_DIRECTIVE = /img-src [^;]*/;

/**
 * A page that shows a shop's logo widens its own Content-Security-Policy by that one address; every other
 * page keeps the fixed policy. The address was checked at registration (no characters that end a source).
 */
export function allowShopLogo(reply: FastifyReply, shop: { logoUri: string | null } | null): void {
  if (!shop?.logoUri) return;
  const policy = reply.raw.getHeader('content-security-policy');
  if (typeof policy !== 'string') return;
  reply.header('content-security-policy', policy.replace(IMAGE_DIRECTIVE, `img-src ${imageSources(shop.logoUri)}`));
}
