import type { FastifyInstance } from 'fastify';
import type { ServiceDeps } from '../../services/deps.ts';
import { findAccountById } from '../../store/accounts.ts';
import { sessionIsPrivileged } from '../../services/sessions.ts';

/**
 * JSON for the shop's pages and backend. GET /api/session answers "who is this cookie?" — the check
 * a shop makes on every request, so it is one indexed read plus one primary-key read.
 */
export function apiRoutes(deps: ServiceDeps) {
  return async function apiRoutesPlugin(app: FastifyInstance) {
    app.get('/api/session', async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const session = request.session;
      if (!session) return reply.code(401).send({ error: { code: 'UNAUTHENTICATED', message: 'No valid session' } });
      const account = await findAccountById(deps.db, session.accountId);
      if (!account || account.status !== 'active') return reply.code(401).send({ error: { code: 'UNAUTHENTICATED', message: 'No valid session' } });
      return {
        session: {
          id: session.id,
          authenticatedAt: session.authenticatedAt.toISOString(),
          privileged: sessionIsPrivileged(deps, session),
        },
        account: { id: account.id, email: account.email, name: account.name, locale: account.locale },
      };
    });
  };
}
