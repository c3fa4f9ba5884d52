import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { DomainError } from '../../core/errors.ts';
import type { CaseKind } from '../../core/support/sla.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { supportQueue } from '../../services/support/queue.ts';
import {
  assertAdmin,
  resolveStaffSession,
  STAFF_SESSION_LIMITS,
  staffSignIn,
  staffSignOut,
  type StaffSession,
} from '../../services/support/staff-accounts.ts';
import { auditPage, dashboardPage, queuePage, staffSignInPage, teamPage } from '../../views/pages/staff-pages.ts';
import { auditTrail, listTeam } from '../../services/support/team.ts';
import { CALL_OUTCOMES } from '../../core/support/call-outcomes.ts';
import { dashboard } from '../../services/support/dashboard.ts';
import { DASHBOARD_PERIODS } from '../../core/support/stats.ts';
import { staffCasePage } from '../../views/pages/staff-case-page.ts';
import type { FormState, PageContext } from '../../views/page-context.ts';
import { caseView } from '../../services/support/case-view.ts';
import {
  assignCaseTo,
  changeWait,
  closeRequest,
  containFromChange,
  logCall,
  replyToCustomer,
  resolveDispute,
  undoOneChange,
} from '../../services/support/case-actions.ts';
import { email, parseForm, password, text } from '../form-input.ts';
import { decideHeldOrder } from '../../services/shop-changes/held-orders.ts';
import { decisionParams } from './held-order-routes.ts';
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

const uuid = z.uuid({ error: 'invalid_format' });
const accountParam = z.object({ accountId: uuid });
const incidentParams = z.object({ accountId: uuid, id: uuid });
const refForm = { incidentId: uuid.optional(), requestId: uuid.optional() };
const replyForm = z.object({ ...refForm, body: text(4000) });
const callForm = z.object({
  ...refForm,
  outcome: z.enum(CALL_OUTCOMES, { error: 'invalid_format' }),
  duration: z.coerce
    .number({ error: 'invalid_format' })
    .int('invalid_format')
    .min(0, 'invalid_format')
    .max(600, 'invalid_format'),
  notes: text(4000),
});
const resolveForm = z.object({ decision: z.enum(['owner', 'other'], { error: 'required' }), reason: text(1000) });
const waitForm = z.object({
  minutes: z.coerce
    .number({ error: 'invalid_format' })
    .int('invalid_format')
    .min(0, 'invalid_format')
    .max(20_160, 'invalid_format'),
  reason: text(1000),
});
const changeForm = z.object({ changeId: uuid });
const assignForm = z.object({
  kind: z.enum(['incident', 'request'], { error: 'invalid_format' }),
  id: uuid,
  to: z.union([z.literal(''), uuid]).optional(),
});
const DONE = { reply: 'staff.done.reply', call: 'staff.done.call', saved: 'staff.done.saved' } as const;

const signInForm = z.object({
  email,
  password,
  code: z.string({ error: 'required' }).trim().min(1, 'required').max(10, 'too_long'),
});
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
      const token = request.cookies[cookie];
      request.staff = await resolveStaffSession(deps, token);
      // A staff cookie that opens nothing: expired, signed out, or forged. Logged without its value.
      if (token && !request.staff)
        request.log.warn(
          { event: 'session_invalid', area: 'staff', path: request.url.split('?')[0], ip: request.ip },
          'session_invalid',
        );
    });

    app.get('/staff/sign-in', async (request, reply) => {
      if (request.staff) return reply.redirect('/staff', 303);
      return sendHtml(reply, 200, staffSignInPage(pageContext(request, reply, config)));
    });
    app.post(
      '/staff/sign-in',
      { config: { rateLimit: { max: config.signInLimitPerMinute, timeWindow: 60_000 } } },
      formHandler(
        config,
        (ctx, state) => staffSignInPage(ctx, state),
        async (request, reply) => {
          const input = parseForm(signInForm, request.body);
          const { token } = await staffSignIn(deps, input, requestOrigin(request));
          reply.setCookie(cookie, token, {
            path: '/',
            httpOnly: true,
            secure: config.secureCookies,
            sameSite: 'strict',
            maxAge: STAFF_SESSION_LIMITS.absoluteMs / 1000,
          });
          return reply.redirect('/staff', 303);
        },
        ['password', 'code'],
      ),
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
      return sendHtml(
        reply,
        200,
        queuePage(pageContext(request, reply, config), staff, await supportQueue(deps, { kind }), kind),
      );
    });

    const casePath = (accountId: string, done: keyof typeof DONE) => `/staff/accounts/${accountId}?done=${done}`;
    const renderCase = async (request: FastifyRequest, ctx: PageContext, state: FormState = {}) => {
      const staff = requireStaff(request);
      const { accountId } = parseForm(accountParam, request.params);
      const done = (request.query as Record<string, unknown>).done;
      const flash =
        typeof done === 'string' && Object.hasOwn(DONE, done) ? ctx.t(DONE[done as keyof typeof DONE]) : undefined;
      return staffCasePage(ctx, staff, await caseView(deps, accountId), state, flash);
    };
    const caseAction = (
      handle: (request: FastifyRequest, staff: StaffSession, accountId: string) => Promise<keyof typeof DONE>,
    ) =>
      formHandler(
        config,
        (ctx, state, request) => renderCase(request, ctx, state),
        async (request, reply) => {
          const staff = requireStaff(request);
          const { accountId } = parseForm(accountParam, request.params);
          return reply.redirect(casePath(accountId, await handle(request, staff, accountId)), 303);
        },
        [],
      );

    app.get('/staff/accounts/:accountId', async (request, reply) => {
      requireStaff(request);
      const ctx = pageContext(request, reply, config);
      return sendHtml(reply, 200, await renderCase(request, ctx));
    });
    app.post(
      '/staff/accounts/:accountId/reply',
      caseAction(async (request, staff, accountId) => {
        const input = parseForm(replyForm, request.body);
        await replyToCustomer(
          deps,
          staff,
          requestOrigin(request),
          { accountId, incidentId: input.incidentId ?? null, requestId: input.requestId ?? null },
          input.body,
        );
        return 'reply';
      }),
    );
    app.post(
      '/staff/accounts/:accountId/call',
      caseAction(async (request, staff, accountId) => {
        const input = parseForm(callForm, request.body);
        await logCall(
          deps,
          staff,
          requestOrigin(request),
          { accountId, incidentId: input.incidentId ?? null, requestId: input.requestId ?? null },
          { outcome: input.outcome, durationMinutes: input.duration, notes: input.notes },
        );
        return 'call';
      }),
    );
    app.post(
      '/staff/accounts/:accountId/incidents/:id/resolve',
      caseAction(async (request, staff, accountId) => {
        const { id } = parseForm(incidentParams, request.params);
        const input = parseForm(resolveForm, request.body);
        await resolveDispute(
          deps,
          staff,
          requestOrigin(request),
          { accountId, incidentId: id },
          input.decision,
          input.reason,
        );
        return 'saved';
      }),
    );
    app.post(
      '/staff/accounts/:accountId/incidents/:id/wait',
      caseAction(async (request, staff, accountId) => {
        const { id } = parseForm(incidentParams, request.params);
        const input = parseForm(waitForm, request.body);
        await changeWait(
          deps,
          staff,
          requestOrigin(request),
          { accountId, incidentId: id },
          input.minutes,
          input.reason,
        );
        return 'saved';
      }),
    );
    app.post(
      '/staff/accounts/:accountId/contain',
      caseAction(async (request, staff, accountId) => {
        const { changeId } = parseForm(changeForm, request.body);
        await containFromChange(deps, staff, requestOrigin(request), accountId, changeId);
        return 'saved';
      }),
    );
    app.post(
      '/staff/accounts/:accountId/incidents/:id/undo',
      caseAction(async (request, staff, accountId) => {
        const { id } = parseForm(incidentParams, request.params);
        const { changeId } = parseForm(changeForm, request.body);
        await undoOneChange(deps, staff, requestOrigin(request), accountId, id, changeId);
        return 'saved';
      }),
    );
    app.post(
      '/staff/accounts/:accountId/incidents/:id/orders/:holdId/:decision',
      caseAction(async (request, staff, accountId) => {
        const { id, holdId, decision } = parseForm(decisionParams.extend(incidentParams.shape), request.params);
        const decider = { by: 'staff', staff, accountId, incidentId: id } as const;
        await decideHeldOrder(deps, decider, holdId, decision, requestOrigin(request));
        return 'saved';
      }),
    );
    app.post(
      '/staff/accounts/:accountId/requests/:id/close',
      caseAction(async (request, staff, accountId) => {
        const { id } = parseForm(incidentParams, request.params);
        await closeRequest(deps, staff, requestOrigin(request), accountId, id);
        return 'saved';
      }),
    );
    app.post(
      '/staff/accounts/:accountId/assign',
      caseAction(async (request, staff, accountId) => {
        const input = parseForm(assignForm, request.body);
        await assignCaseTo(deps, staff, requestOrigin(request), {
          accountId,
          kind: input.kind,
          id: input.id,
          toStaffId: input.to || null,
        });
        return 'saved';
      }),
    );

    app.get('/staff/dashboard', async (request, reply) => {
      const staff = requireStaff(request);
      const parsed = z
        .object({ days: z.coerce.number().pipe(z.union(DASHBOARD_PERIODS.map((d) => z.literal(d)))) })
        .safeParse(request.query);
      const days = parsed.success ? parsed.data.days : 30;
      return sendHtml(
        reply,
        200,
        dashboardPage(pageContext(request, reply, config), staff, await dashboard(deps, days)),
      );
    });

    app.get('/staff/audit', async (request, reply) => {
      const staff = requireStaff(request);
      assertAdmin(deps, staff, 'audit');
      return sendHtml(reply, 200, auditPage(pageContext(request, reply, config), staff, await auditTrail(deps, 500)));
    });

    app.get('/staff/team', async (request, reply) => {
      const staff = requireStaff(request);
      assertAdmin(deps, staff, 'team');
      return sendHtml(reply, 200, teamPage(pageContext(request, reply, config), staff, await listTeam(deps)));
    });
  };
}
