import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServiceDeps } from '../../services/deps.ts';
import { storeAnswers } from '../../services/operations/store-snapshot.ts';

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * For the operator and the load balancer: liveness that asks the store (`/healthz`), readiness that turns
 * 503 the moment the instance starts shutting down so no new request is routed to it (`/readyz`), and
 * Prometheus metrics for a scraper holding MAMORI_METRICS_TOKEN (`/metrics`; off without it).
 */
export function operationsRoutes(deps: ServiceDeps) {
  return async function operationsRoutesPlugin(app: FastifyInstance) {
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onResponse', async (request, reply) => {
      deps.metrics.request(
        request.method,
        request.routeOptions.url ?? 'unmatched',
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
    });

    const answerIfStoreAnswers = async (reply: FastifyReply, status: 'ok' | 'ready') =>
      (await storeAnswers(deps.db))
        ? reply.header('cache-control', 'no-store').send({ status })
        : reply
            .code(503)
            .header('cache-control', 'no-store')
            .send({ status: 'unavailable', reason: 'the database does not answer' });
    app.get('/healthz', async (_request, reply) => answerIfStoreAnswers(reply, 'ok'));
    app.get('/readyz', async (_request, reply) =>
      closing
        ? reply.code(503).header('cache-control', 'no-store').send({ status: 'shutting-down' })
        : answerIfStoreAnswers(reply, 'ready'),
    );
    app.get('/metrics', async (request, reply) => {
      const token = deps.config.metricsToken;
      if (!token)
        return reply
          .code(404)
          .send({ error: { code: 'NOT_FOUND', message: 'Metrics are off: set MAMORI_METRICS_TOKEN' } });
      const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!sameSecret(given, token))
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: { code: 'UNAUTHENTICATED', message: 'A bearer token is required' } });
      return reply
        .header('content-type', deps.metrics.registry.contentType)
        .header('cache-control', 'no-store')
        .send(await deps.metrics.render());
    });
  };
}
