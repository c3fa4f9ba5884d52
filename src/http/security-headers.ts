import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet from 'helmet';
import type { Config } from '../config.ts';

export type HeaderList = readonly (readonly [string, string | number | readonly string[]])[];

/**
 * The security headers every answer carries, worked out once: helmet's policy has no per-request part
 * (no nonces), so it runs once against a response nobody receives and its headers are kept as a list.
 * Setting twelve fixed headers costs a fraction of running helmet's twelve middlewares on every request.
 */
export function securityHeadersFor(config: Pick<Config, 'secureCookies'>): HeaderList {
  const policy = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: config.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  const request = new IncomingMessage(new Socket());
  const response = new ServerResponse(request);
  let failed: unknown = null;
  policy(request, response, (error?: unknown) => (failed = error ?? null));
  if (failed) throw failed;
  return Object.entries(response.getHeaders()).flatMap(([name, value]) =>
    value === undefined ? [] : [[name, value] as const],
  );
}

export function setHeaders(response: ServerResponse, headers: HeaderList): void {
  for (const [name, value] of headers) response.setHeader(name, value);
}
