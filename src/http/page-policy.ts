import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { imageSources } from '../core/oidc/client-branding.ts';

type Widened = 'img-src' | 'form-action';

/**
 * One page's Content-Security-Policy widened by one directive; every other page keeps the fixed policy
 * set on each request. The sources were checked where they were registered.
 */
function widen(response: ServerResponse, directive: Widened, sources: string): void {
  const policy = response.getHeader('content-security-policy');
  if (typeof policy !== 'string') return;
  response.setHeader(
    'content-security-policy',
    policy.replace(new RegExp(`${directive} [^;]*`), `${directive} ${sources}`),
  );
}

/** A page that shows a shop's logo allows that one address (checked at registration: nothing ends a source). */
export function allowShopLogo(reply: FastifyReply, shop: { logoUri: string | null } | null): void {
  if (shop?.logoUri) widen(reply.raw, 'img-src', imageSources(shop.logoUri));
}

/**
 * The sign-out confirmation of a shop: its form goes on to the shop's registered post-logout address, and
 * a browser applies `form-action` to a form's redirects too, so that one origin is allowed on this page.
 */
export function allowFormToward(response: ServerResponse, target: unknown): void {
  if (typeof target !== 'string') return;
  let origin: string;
  try {
    origin = new URL(target).origin;
  } catch {
    return;
  }
  if (origin !== 'null') widen(response, 'form-action', `'self' ${origin}`);
}
