import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyReply, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ServiceDeps } from '../services/deps.ts';
import { resolveSession } from '../services/sessions/sessions.ts';
import type { MessageKey } from '../views/i18n/translate.ts';
import { errorPage } from '../views/pages/public-pages.ts';
import { messageValues, statusFor, toDomainError } from './error-mapping.ts';
import { databaseRateLimitStore } from './rate-limit-store.ts';
import { securityHeadersFor, setHeaders } from './security-headers.ts';
import { keepLanguageAsked, localeFromRequest } from './language-switch.ts';
import { withoutQueryStrings } from './request-log.ts';
import { rateLimitCounter } from '../services/rate-limits/counter.ts';
import {
  bareContext,
  csrfCookieName,
  deviceCookieName,
  pageContext,
  sendHtml,
  sessionCookieName,
} from './request-context.ts';
import { accountRoutes } from './routes/account-routes.ts';
import { ssfRoutes } from './routes/ssf-routes.ts';
import { accountApiRoutes } from './routes/account-api-routes.ts';
import { importApiRoutes } from './routes/import-api-routes.ts';
import { operationsRoutes } from './routes/operations-routes.ts';
import { API_V1, apiCallers } from './api-v1.ts';
import { apiDocsRoutes } from './routes/api-docs-routes.ts';
import { apiRoutes } from './routes/api-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { devRoutes } from './routes/dev-routes.ts';
import { incidentRoutes } from './routes/incident-routes.ts';
import { heldOrderRoutes } from './routes/held-order-routes.ts';
import { proofRoutes } from './routes/proof-routes.ts';
import { secureAccountRoutes } from './routes/secure-account-routes.ts';
import { passkeyRoutes } from './routes/passkey-routes.ts';
import { staffRoutes } from './routes/staff-routes.ts';
import { twoStepRoutes } from './routes/two-step-routes.ts';
import { sessionRoutes } from './routes/session-routes.ts';
import { oidcRoutes } from './routes/oidc-routes.ts';
import { passwordUpgradeGate, passwordUpgradeRoutes } from './routes/password-upgrade-routes.ts';
import { firstPasswordRoutes } from './routes/first-password-routes.ts';
import { buildProvider, OIDC_PREFIX } from './oidc-provider.ts';
import { providerFastPath } from './provider-fast-path.ts';

/** After signing in again the person is back on the page whose form asked for it. */
const REAUTH_RETURN_PAGES = ['/account/sessions', '/account/two-step', '/account/passkeys'];

export interface AppOptions {
  deps: ServiceDeps;
  log: Logger;
  /** The dev mailbox page exists only in development mode. */
  devMailbox: boolean;
  /** Signs a queued security event (the worker pushes with the same signer; poll answers with it). */
  signSecurityEvent: (jti: string, model: string | null) => Promise<string>;
}

const FORM_BODY_LIMIT = 64 * 1024;

/**
 * URLSearchParams decodes invalid percent-encoded UTF-8 to U+FFFD, which the field rules then refuse,
 * instead of silently keeping "%FF" as text. A repeated field becomes a list, which no field accepts.
 */
function parseUrlEncoded(body: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const existing = fields[key];
    fields[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return fields;
}
const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

function isApi(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

/** The OpenID Provider's endpoints authenticate clients and browsers themselves (and parse their own bodies). */
function isProviderEndpoint(request: FastifyRequest): boolean {
  return request.url.startsWith(`${OIDC_PREFIX}/`) || request.url.startsWith('/.well-known/');
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { deps } = options;
  const { config } = deps;
  const securityHeaders = securityHeadersFor(config);
  const trustedHops = config.trustProxy;
  // Set once the provider is built: its machine and authorization endpoints are answered before Fastify's routing.
  let fastPath: ((request: IncomingMessage, response: ServerResponse) => boolean) | null = null;
  let closing = false;
  const app = Fastify({
    serverFactory: (handler, opts) => {
      const server = createServer(opts.http ?? {}, (request, response) => {
        if (!fastPath?.(request, response)) handler(request, response);
      });
      // What Fastify sets on a server it makes itself.
      const { keepAliveTimeout, requestTimeout, connectionTimeout, maxRequestsPerSocket } = opts;
      if (typeof keepAliveTimeout === 'number') server.keepAliveTimeout = keepAliveTimeout;
      if (typeof requestTimeout === 'number') server.requestTimeout = requestTimeout;
      if (typeof connectionTimeout === 'number') server.setTimeout(connectionTimeout);
      if (typeof maxRequestsPerSocket === 'number' && maxRequestsPerSocket > 0)
        server.maxRequestsPerSocket = maxRequestsPerSocket;
      return server;
    },
    loggerInstance: withoutQueryStrings(options.log) as FastifyBaseLogger,
    bodyLimit: FORM_BODY_LIMIT,
    // A hop count trusts that many proxies from this server outwards, as Fastify does for a number.
    trustProxy: typeof trustedHops === 'number' ? (_address: string, hop: number) => hop < trustedHops : trustedHops,
    requestIdHeader: false,
    // A URL the router cannot decode (GET /%FF%FE) is answered like any other bad request: the app's own
    // page, its security headers, and nothing of the URL echoed back.
    frameworkErrors: (error, request, reply) => {
      // Before routing: no plugin has run, so the page is built from the defaults (no session, no form token).
      const ctx = bareContext(config, config.defaultLocale, deps.clock.now());
      const t = ctx.t;
      if (isApi(request))
        return void (reply as unknown as FastifyReply)
          .code(400)
          .type('application/problem+json')
          .header('cache-control', 'no-store')
          .send({ type: 'https://mamori.dev/problems/invalid-input', title: t('error.INVALID_INPUT'), status: 400 });
      setHeaders(reply.raw, securityHeaders);
      void sendHtml(
        reply,
        400,
        errorPage(ctx, t(error.code === 'FST_ERR_BAD_URL' ? 'error.NOT_FOUND' : 'error.INVALID_INPUT')),
      );
    },
  });

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: FORM_BODY_LIMIT, parser: parseUrlEncoded });
  app.addHook('onRequest', (_request, reply, done) => {
    setHeaders(reply.raw, securityHeaders);
    done();
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: csrfCookieName(config),
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: config.secureCookies },
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
      return fromBody ?? (request.headers['x-csrf-token'] as string | undefined);
    },
  });
  await app.register(fastifyRateLimit, {
    global: false,
    store: databaseRateLimitStore(rateLimitCounter(deps)),
  });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/static/', maxAge: 3_600_000, index: false });

  app.decorateRequest('session', null);
  app.decorateRequest('locale', config.defaultLocale);
  app.decorateRequest('sessionToken', undefined);
  app.decorateRequest('deviceCookie', undefined);
  // Looked up only when a route asks where the request comes from.
  app.decorateRequest('country', {
    getter(this: FastifyRequest) {
      return deps.geo.locate(this.ip)?.country ?? null;
    },
  });
  // Assigned first thing in onRequest, before any hook or route reads it.
  app.decorateRequest('now', null as unknown as Date);

  const sessionCookie = sessionCookieName(config);
  const deviceCookie = deviceCookieName(config);
  app.addHook('onRequest', async (request, reply) => {
    request.now = deps.clock.now();
    if (request.url.startsWith('/static/') || isProviderEndpoint(request)) return;
    request.locale = localeFromRequest(request, config.defaultLocale);
    keepLanguageAsked(request, reply, config);
    request.sessionToken = request.cookies[sessionCookie];
    request.deviceCookie = request.cookies[deviceCookie];
    request.session = await resolveSession(deps, request.sessionToken);
  });

  // CSRF runs after the body is parsed so form fields can carry the token; JSON API routes use keys, not cookies.
  app.addHook('preValidation', (request, reply, done) => {
    if (
      request.method === 'GET' ||
      request.method === 'HEAD' ||
      request.method === 'OPTIONS' ||
      isApi(request) ||
      isProviderEndpoint(request)
    )
      return done();
    app.csrfProtection(request, reply, done);
  });

  app.setErrorHandler(async (error, request, reply) => {
    const domainError = toDomainError(error);
    if (domainError.code === 'INTERNAL') request.log.error({ err: error }, 'request_failed');
    // Refused attempts are security events (STANDARDS I1): logged with where and from whom, never with what was sent.
    if (domainError.code === 'CSRF_INVALID' || domainError.code === 'FORBIDDEN') {
      request.log.warn(
        {
          event: domainError.code === 'CSRF_INVALID' ? 'csrf_fail' : 'authz_fail',
          path: request.url.split('?')[0],
          ip: request.ip,
        },
        'request_refused',
      );
    }
    if (!isApi(request)) {
      if (domainError.code === 'UNAUTHENTICATED') return reply.redirect('/sign-in', 303);
      if (domainError.code === 'STAFF_UNAUTHENTICATED') return reply.redirect('/staff/sign-in', 303);
      if (domainError.code === 'REAUTH_REQUIRED') {
        const path = request.url.split('?')[0] ?? '';
        const back = REAUTH_RETURN_PAGES.find((page) => path === page || path.startsWith(`${page}/`)) ?? '/account';
        return reply.redirect(`/reauth?returnTo=${encodeURIComponent(back)}`, 303);
      }
    }
    const status = statusFor(domainError.code);
    if (isApi(request)) {
      const t = pageContext(request, reply, config).t;
      return reply.code(status).send({
        error: {
          code: domainError.code,
          message: t(`error.${domainError.code}` as MessageKey, messageValues(domainError)),
          fields: domainError.details.fields,
        },
      });
    }
    const ctx = pageContext(request, reply, config);
    return sendHtml(
      reply,
      status,
      errorPage(ctx, ctx.t(`error.${domainError.code}` as MessageKey, messageValues(domainError))),
    );
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (request.url.startsWith(`${API_V1}/`))
      return reply
        .code(404)
        .type('application/problem+json')
        .send({ type: 'https://mamori.dev/problems/not-found', title: 'Not found', status: 404 });
    if (isApi(request)) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'Not found' } });
    const ctx = pageContext(request, reply, config);
    return sendHtml(reply, 404, errorPage(ctx, ctx.t('error.NOT_FOUND')));
  });

  // On the root, not in a plugin of its own: its hooks time every route and see the whole app closing.
  await operationsRoutes(deps)(app);
  passwordUpgradeGate(app);
  const provider = await buildProvider(deps);
  const oidc = oidcRoutes(deps, provider);
  await app.register(authRoutes(deps, oidc.shopSignIn));
  await app.register(passwordUpgradeRoutes(deps));
  await app.register(firstPasswordRoutes(deps));
  await app.register(accountRoutes(deps));
  await app.register(sessionRoutes(deps));
  await app.register(incidentRoutes(deps));
  await app.register(heldOrderRoutes(deps));
  await app.register(proofRoutes(deps));
  await app.register(secureAccountRoutes(deps));
  await app.register(twoStepRoutes(deps));
  await app.register(passkeyRoutes(deps));
  await app.register(staffRoutes(deps));
  await app.register(apiRoutes(deps));
  // One token check for all of /api/v1: its key set is loaded once and reloaded once after a rotation.
  const apiCaller = apiCallers(deps);
  await app.register(ssfRoutes(deps, apiCaller, options.signSecurityEvent));
  await app.register(accountApiRoutes(deps, apiCaller));
  await app.register(importApiRoutes(deps, apiCaller));
  await app.register(apiDocsRoutes(deps));
  await app.register(oidc.plugin);
  app.addHook('preClose', async () => {
    closing = true;
  });
  fastPath = providerFastPath({
    config,
    securityHeaders,
    metrics: deps.metrics,
    log: options.log,
    provider: provider.callback(),
    closing: () => closing,
  });
  if (options.devMailbox) await app.register(devRoutes(deps));
  return app;
}
