import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Metrics } from '../platform/metrics.ts';
import { setHeaders, type HeaderList } from './security-headers.ts';
import type { Config } from '../config.ts';
import { OIDC_PREFIX } from './oidc-provider.ts';

/**
 * What the provider sees of a request, whichever way it came in: every URL it writes is built from the
 * issuer, never from what the request claims (E3), and the client is the address the app judged under
 * MAMORI_TRUST_PROXY, never what the request claims.
 */
export function issuerFixedHeaders(request: IncomingMessage, canonical: URL, clientIp: string): void {
  request.headers.host = canonical.host;
  request.headers['x-forwarded-host'] = canonical.host;
  request.headers['x-forwarded-proto'] = canonical.protocol.slice(0, -1);
  request.headers['x-forwarded-for'] = clientIp;
}

/** The machine-to-machine endpoints: a shop's backend calls them, no browser, no cookie, no page. */
const MACHINE_PATHS = new Set([
  `${OIDC_PREFIX}/token`,
  `${OIDC_PREFIX}/token/introspection`,
  `${OIDC_PREFIX}/token/revocation`,
  `${OIDC_PREFIX}/me`,
]);

export function isMachineEndpoint(url: string | undefined): boolean {
  if (!url) return false;
  const query = url.indexOf('?');
  return MACHINE_PATHS.has(query < 0 ? url : url.slice(0, query));
}

const AUTHORIZATION_PATH = `${OIDC_PREFIX}/auth`;
/** The authorization endpoint and its resume after an interaction (`/oidc/auth/<uid>`). */
const AUTHORIZATION_RESUME = new RegExp(`^${AUTHORIZATION_PATH}/[\\w-]+$`);

/**
 * The authorization endpoint, where a shop sends the browser and the browser comes back after signing in.
 * Fastify gives it nothing the provider does not do itself: no session (the provider's login check reads
 * Mamori's session cookie, oidc-provider.ts), no form token (it has no form of Mamori's), no rate limit.
 */
export function isAuthorizationEndpoint(url: string | undefined): boolean {
  if (!url) return false;
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  return path === AUTHORIZATION_PATH || AUTHORIZATION_RESUME.test(path);
}

/**
 * The client's address as Fastify judges it (proxy-addr's rule) when the app trusts no proxy or a number
 * of hops: the socket's peer, or the address that many hops out along X-Forwarded-For. Null for a list
 * of trusted proxy addresses, whose matching only Fastify does: those requests go through Fastify.
 */
export function clientAddressRule(
  trustProxy: Config['trustProxy'],
): ((request: IncomingMessage) => string | undefined) | null {
  if (trustProxy === false) return (request) => request.socket.remoteAddress;
  if (typeof trustProxy !== 'number') return null;
  return (request) => {
    const peer = request.socket.remoteAddress;
    const header = request.headers['x-forwarded-for'];
    if (trustProxy === 0 || !header || peer === undefined) return peer;
    // proxy-addr's own parse: split on commas, spaces trimmed, empty entries dropped.
    const hops = String(header)
      .split(',')
      .map((hop) => hop.replace(/^ +| +$/g, ''))
      .filter((hop) => hop !== '')
      .reverse();
    if (hops.length === 0) return peer;
    return hops[Math.min(trustProxy, hops.length) - 1];
  };
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The provider's machine endpoints and its authorization endpoint answered straight from the Node server, before Fastify builds its
 * request, reply and child logger, looks up the route and hands the raw request over anyway (the
 * provider parses its own body and writes its own answer, errors included, with no stack trace). Kept
 * what the Fastify route gives them: the security headers, the issuer-fixed host and protocol, the
 * client address as Fastify judges it, the request metric and the completed-request log line. Null
 * (everything through Fastify) when the address rule is Fastify's alone; a request that arrives while
 * the app is closing goes through Fastify too, which refuses it.
 */
export function providerFastPath(options: {
  config: Pick<Config, 'publicUrl' | 'trustProxy'>;
  securityHeaders: HeaderList;
  metrics: Pick<Metrics, 'request'>;
  log: Logger;
  provider: Handler;
  closing: () => boolean;
}): ((request: IncomingMessage, response: ServerResponse) => boolean) | null {
  const clientAddress = clientAddressRule(options.config.trustProxy);
  if (!clientAddress) return null;
  const canonical = new URL(options.config.publicUrl);
  const { metrics, log, provider } = options;
  const started = new WeakMap<ServerResponse, number>();
  // One listener for every answer, not a closure and a once-wrapper made per request.
  function answered(this: ServerResponse) {
    const request = this.req;
    const seconds = (performance.now() - (started.get(this) ?? 0)) / 1000;
    metrics.request(request.method ?? '', `${OIDC_PREFIX}/*`, this.statusCode, seconds);
    if (log.isLevelEnabled('info'))
      log.info(
        {
          req: { method: request.method, url: request.url?.split('?')[0] },
          res: { statusCode: this.statusCode },
          responseTime: seconds * 1000,
        },
        'request completed',
      );
  }
  return (request, response) => {
    if (!(isMachineEndpoint(request.url) || isAuthorizationEndpoint(request.url)) || options.closing()) return false;
    started.set(response, performance.now());
    setHeaders(response, options.securityHeaders);
    issuerFixedHeaders(request, canonical, clientAddress(request) ?? '');
    response.on('finish', answered);
    provider(request, response);
    return true;
  };
}
