import type { FastifyInstance } from 'fastify';
import type { ServiceDeps } from '../../services/deps.ts';
import { sessionIsPrivileged } from '../../services/sessions/sessions.ts';

/**
 * JSON for the shop's pages and backend. GET /api/session answers "who is this cookie?" — the check
 * a shop makes on every request, so it is one indexed read (the session joined to its account).
 */
function holdActive(until: string | null, now: Date): string | null {
  return until && until > now.toISOString() ? until : null;
}

export function apiRoutes(deps: ServiceDeps) {
  return async function apiRoutesPlugin(app: FastifyInstance) {
    app.get('/api/session', async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const session = request.session;
      const account = session?.account;
      if (!session || !account)
        return reply.code(401).send({ error: { code: 'UNAUTHENTICATED', message: 'No valid session' } });
      return {
        session: {
          id: session.id,
          authenticatedAt: session.authenticatedAt.toISOString(),
          privileged: sessionIsPrivileged(deps, session),
          challenged: session.challenged,
        },
        account: { id: session.accountId, email: account.email, name: account.name, locale: account.locale },
        // DESIGN 2 C step 6: gift cards, payouts and a new card shipping to a new address wait until then.
        holds: { irreversibleActionsUntil: holdActive(account.irreversibleHoldUntil, request.now) },
      };
    });
  };
}
