import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../core/errors.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { assertPrivileged, listSessions, signOutEverywhere, signOutOne } from '../../services/sessions/sessions.ts';
import { sessionsPage } from '../../views/pages/sessions-page.ts';
import { clearSessionCookie, noticeText, pageContext, sendHtml } from '../request-context.ts';

const SESSION_ID = /^[0-9a-f-]{36}$/;

/** Seeing and ending sessions needs a recent sign-in (STANDARDS G4). */
export function sessionRoutes(deps: ServiceDeps) {
  const { config } = deps;
  return async function sessionRoutesPlugin(app: FastifyInstance) {
    app.get('/account/sessions', async (request, reply) => {
      if (!request.session) return reply.redirect('/sign-in?returnTo=/account/sessions', 303);
      assertPrivileged(deps, request.session);
      const sessions = await listSessions(deps, request.session);
      return sendHtml(reply, 200, sessionsPage(pageContext(request, reply, config), sessions, noticeText(request)));
    });

    app.post('/account/sessions/:id/sign-out', async (request, reply) => {
      if (!request.session) throw new DomainError('UNAUTHENTICATED');
      const id = (request.params as { id?: string }).id ?? '';
      if (!SESSION_ID.test(id)) throw new DomainError('NOT_FOUND');
      await signOutOne(deps, request.session, id);
      if (id === request.session.id) {
        clearSessionCookie(reply, config);
        return reply.redirect('/sign-in?notice=signed-out', 303);
      }
      return reply.redirect('/account/sessions?notice=saved', 303);
    });

    app.post('/account/sessions/sign-out-everywhere', async (request, reply) => {
      if (!request.session) throw new DomainError('UNAUTHENTICATED');
      await signOutEverywhere(deps, request.session);
      clearSessionCookie(reply, config);
      return reply.redirect('/sign-in?notice=signed-out', 303);
    });
  };
}
