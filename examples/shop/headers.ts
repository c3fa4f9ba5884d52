import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * The headers a shop's pages should carry, as Mamori's do: a strict CSP (no inline script or style, no
 * framing, forms only to the shop itself and to Mamori, where sign-out continues), no MIME sniffing, no
 * Referer to another site (the callback URL carries the authorization code), and HSTS on https.
 */
export function securityHeaders(app: FastifyInstance, options: { shopUrl: string; issuer: string }): void {
  const https = options.shopUrl.startsWith('https:');
  const policy = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        // Sign-out posts here and goes on to Mamori's end-session endpoint: a redirect a form started.
        formAction: ["'self'", new URL(options.issuer).origin],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // Not "no-referrer": with it a browser sends `Origin: null` on the shop's own form posts, which the
    // shop checks (Mamori checks a form token instead). "same-origin" still tells other sites nothing.
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    policy(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
  });
}
