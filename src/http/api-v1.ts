import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { DomainError } from '../core/errors.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { apiTokenVerifier, type ApiCaller } from '../services/oidc/api-tokens.ts';
import { rateLimitCounter } from '../services/rate-limits/counter.ts';
import type { MessageKey } from '../views/i18n/translate.ts';
import { refuseCardNumbers } from './card-number-guard.ts';
import { messageValues, statusFor, toDomainError } from './error-mapping.ts';
import type { ApiScope } from '../core/oidc/api-scopes.ts';
import { pageContext } from './request-context.ts';

export const API_V1 = '/api/v1';

export type { ApiScope };

/**
 * A body, query or path of an `/api/v1` call, checked against its schema; a refusal names each problem.
 * No string in it may hold a card number.
 */
export function parsed<T>(schema: z.ZodType<T>, value: unknown): T {
  // Before the schema, so a shop learns of the card number even in a body that is wrong otherwise too.
  refuseCardNumbers(value);
  const result = schema.safeParse(value ?? {});
  if (!result.success)
    throw new DomainError('INVALID_INPUT', {
      reason: result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    });
  return result.data;
}

/**
 * Who calls Mamori's API: a shop as itself, with a client-credentials token carrying the scope the call
 * needs (`ssf.manage` also reads what `ssf.read` reads), within its budget of calls a minute.
 */
export type ApiCallerCheck = (request: FastifyRequest, scope: ApiScope) => Promise<ApiCaller>;

export function apiCallers(deps: ServiceDeps): ApiCallerCheck {
  const verifyToken = apiTokenVerifier(deps);
  const spendCall = apiBudget(deps);
  return async (request: FastifyRequest, scope: ApiScope): Promise<ApiCaller> => {
    const who = await verifyToken(request.headers.authorization);
    await spendCall(who.clientId);
    if (!who.asItself) throw new DomainError('FORBIDDEN', { reason: 'the API is called by the shop itself' });
    if (!who.scopes.has(scope) && !(scope === 'ssf.read' && who.scopes.has('ssf.manage')))
      throw new DomainError('FORBIDDEN', { reason: `the access token lacks the ${scope} scope` });
    return who;
  };
}

/**
 * Each shop (client id) has its own budget of calls a minute, counted in the store so every instance
 * spends from the same one (DESIGN 1); one shop's flood never slows another. Counted once the token is
 * known good, so nobody can spend a shop's budget without its credentials.
 */
function apiBudget(deps: ServiceDeps): (clientId: string) => Promise<void> {
  const count = rateLimitCounter(deps);
  const perMinute = deps.config.machineLimits.apiRequestsPerMinute;
  return async (clientId) => {
    const { hits, ttlMs } = await count(`api-v1:${clientId}`, 60_000);
    if (hits > perMinute)
      throw new DomainError('RATE_LIMITED', {
        reason: `this shop's budget of ${perMinute} API calls a minute is spent`,
        retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
      });
  };
}

/** `/api/v1` answers never cache, and every refusal is an RFC 9457 problem detail. */
export function problemDetails(api: FastifyInstance, deps: ServiceDeps): void {
  api.setErrorHandler(async (error, request, reply: FastifyReply) => {
    const problem = toDomainError(error);
    if (problem.code === 'INTERNAL') request.log.error({ err: error }, 'request_failed');
    const status = statusFor(problem.code);
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    if (problem.details.retryAfterSeconds) reply.header('retry-after', String(problem.details.retryAfterSeconds));
    const t = pageContext(request, reply, deps.config).t;
    return reply
      .code(status)
      .type('application/problem+json')
      .send({
        type: `https://mamori.dev/problems/${problem.code.toLowerCase().replaceAll('_', '-')}`,
        title: t(`error.${problem.code}` as MessageKey, messageValues(problem)),
        status,
        ...(problem.details.reason ? { detail: problem.details.reason } : {}),
      });
  });
  api.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
}
