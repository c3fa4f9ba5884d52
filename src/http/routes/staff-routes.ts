import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { DomainError } from '../../core/errors.ts';
import type { CaseKind } from '../../core/support/sla.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { supportQueue } from '../../services/staff/queue.ts';
import { assertAdmin, resolveStaffSession, STAFF_SESSION_LIMITS, staffSignIn, staffSignOut, type StaffSession } from '../../services/staff/staff-accounts.ts';
import { listStaff } from '../../store/staff.ts';
import { queuePage, staffSignInPage, teamPage } from '../../views/pages/staff-pages.ts';
import { email, parseForm, password } from '../form-input.ts';
import { formHandler } from '../form-route.ts';
import { pageContext, requestOrigin, sendHtml } from '../request-context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The support desk session, resolved only under /staff from its own cookie; never a customer's. */
    staff: StaffSession | null;
  }
}

export function staffCookieName(config: Pick<Config, 'secureCookies'>): string {
  return config.secureCookies ? '__Host-mamori_staff' : 'mamori_staff';
}

const signInForm = z.object({ email, password, code: z.string({ error: 'required' }).trim().min(1, 'required').max(10, 'too_long') });
const queueQuery = z.object({ kind: z.enum(['incident', 'message', 'callback']).optional() });

export function requireStaff(request: FastifyRequest): StaffSession {
  if (!request.staff) throw new DomainError('STAFF_UNAUTHENTICATED');
  return request.staff;
}

/** The support desk: staff sign-in (password + TOTP, always), the queue, and the team list for admins. */
export function staffRoutes(deps: ServiceDeps) {
  const { config } = deps;
  const cookie = staffCookieName(config);
  return async function staffRoutesPlugin(app: FastifyInstance) {
    app.decorateRequest('staff', null);
    app.addHook('onRequest', async (request) => {
      request.staff = await resolveStaffSession(deps, request.cookies[cookie]);
    });

    app.get('/staff/sign-in', async (request, reply) => {
      if (request.staff) return reply.redirect('/staff', 303);
      return sendHtml(reply, 200, staffSignInPage(pageContext(request, reply, config)));
    });
    app.post(
      '/staff/sign-in',
      { config: { rateLimit: { max: config.signInLimitPerMinute, timeWindow: 60_000 } } },
      formHandler(config, (ctx, state) => staffSignInPage(ctx, state), async (request, reply) => {
        const input = parseForm(signInForm, request.body);
        const { token } = await staffSignIn(deps, input, requestOrigin(request));
        reply.setCookie(cookie, token, { path: '/', httpOnly: true, secure: config.secureCookies, sameSite: 'strict', maxAge: STAFF_SESSION_LIMITS.absoluteMs / 1000 });
        return reply.redirect('/staff', 303);
      }, ['password', 'code']),
    );
    app.post('/staff/sign-out', async (request, reply) => {
      if (request.staff) await staffSignOut(deps, request.staff);
      reply.clearCookie(cookie, { path: '/', httpOnly: true, secure: config.secureCookies, sameSite: 'strict' });
      return reply.redirect('/staff/sign-in', 303);
    });

    app.get('/staff', async (request, reply) => {
      const staff = requireStaff(request);
      const parsed = queueQuery.safeParse(request.query);
      const kind: CaseKind | undefined = parsed.success ? parsed.data.kind : undefined;
      return sendHtml(reply, 200, queuePage(pageContext(request, reply, config), staff, await supportQueue(deps, { kind }), kind));
    });

    app.get('/staff/team', async (request, reply) => {
      const staff = requireStaff(request);
      assertAdmin(deps, staff, 'team');
      return sendHtml(reply, 200, teamPage(pageContext(request, reply, config), staff, await listStaff(deps.db)));
    });
  };
}
