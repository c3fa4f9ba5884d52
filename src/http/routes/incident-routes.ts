import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import {
  claimIncident,
  completeRecovery,
  contactSupport,
  enterIncidentBySpentReportLink,
  incidentForSpentReportLink,
  objectToIncident,
  recoveryPasskeyOptions,
  recoveryRequirements,
  tickChecklistItem,
  viewIncident,
  viewObjection,
} from '../../services/incidents/lifecycle.ts';
import { authenticationCredential } from '../passkey-input.ts';
import { reportChange, viewReport } from '../../services/incidents/report.ts';
import { recentActivity } from '../../services/account-log/activity.ts';
import {
  activityPage,
  incidentPage,
  objectPage,
  protectedAlreadyPage,
  recoverPage,
  reportPage,
} from '../../views/pages/incident-pages.ts';
import { messagePage } from '../../views/pages/public-pages.ts';
import { customerText, optionalCustomerText, parseForm, password, text } from '../form-input.ts';
import { formHandler } from '../form-route.ts';
import { linkToken, pageContext, requestOrigin, sendHtml } from '../request-context.ts';

const token = z.string({ error: 'required' }).max(100, 'too_long');
const reportForm = z.object({
  token,
  undo: z.union([z.string().max(40), z.array(z.string().max(40)).max(200)]).optional(),
});
const messageForm = z.object({ token, message: customerText(4000) });
const callbackForm = z.object({
  token,
  phone: text(30).refine((v) => /^\+?[0-9 ()-]{6,30}$/.test(v), 'invalid_format'),
  preferredTime: customerText(100),
  message: optionalCustomerText(4000),
});
const objectForm = z.object({ token, message: customerText(4000) });
const recoverForm = z.object({ token, password, code: z.string().trim().max(40, 'too_long').optional() });
const recoverWithPasskeyForm = z.object({ token, password, credential: z.string() });
const SECRET_FIELDS = ['credential', 'password'];

/** The incident flow's pages: reachable from mail without signing in, acting only on POST. */
export function incidentRoutes(deps: ServiceDeps) {
  const { config } = deps;
  const limited = { config: { rateLimit: { max: config.signInLimitPerMinute, timeWindow: 60_000 } } };
  return async function incidentRoutesPlugin(app: FastifyInstance) {
    app.get('/report', async (request, reply) => {
      const view = await viewReport(deps, linkToken(request)).catch(async (error: unknown) => {
        // Containment voids every link; the owner's still lead to the incident, nobody else's do.
        if (!(error instanceof DomainError) || !['TOKEN_INVALID', 'INCIDENT_ALREADY_OPEN'].includes(error.code))
          throw error;
        await incidentForSpentReportLink(deps, linkToken(request));
        return null;
      });
      const ctx = pageContext(request, reply, config);
      return sendHtml(
        reply,
        200,
        view
          ? reportPage(ctx, view, linkToken(request), config.incidentWaitMs)
          : protectedAlreadyPage(ctx, linkToken(request)),
      );
    });
    app.post('/report/incident', limited, async (request, reply) => {
      const input = parseForm(z.object({ token }), request.body);
      return reply.redirect(`/incident?token=${await enterIncidentBySpentReportLink(deps, input.token)}`, 303);
    });
    app.post('/report', limited, async (request, reply) => {
      const input = parseForm(reportForm, request.body);
      const chosen = new Set(Array.isArray(input.undo) ? input.undo : input.undo ? [input.undo] : []);
      const opened = await reportChange(deps, input.token, chosen, requestOrigin(request));
      return reply.redirect(`/incident?token=${opened.statusToken}`, 303);
    });

    const renderIncident = async (
      request: FastifyRequest,
      reply: Parameters<typeof pageContext>[1],
      flash?: string,
    ) => {
      const statusToken = linkToken(request);
      const view = await viewIncident(deps, statusToken);
      const ctx = pageContext(request, reply, config);
      return incidentPage(ctx, view, statusToken, flash);
    };
    app.get('/incident', async (request, reply) => {
      const notice = (request.query as Record<string, unknown>).notice;
      const t = pageContext(request, reply, config).t;
      const flash =
        notice === 'sent'
          ? t('incident.sent')
          : notice === 'claimed'
            ? t('incident.claim.done')
            : notice === 'order-sent'
              ? t('orders.sent')
              : undefined;
      return sendHtml(reply, 200, await renderIncident(request, reply, flash));
    });
    const incidentForm = (
      ctx: Parameters<typeof incidentPage>[0],
      state: Parameters<typeof incidentPage>[4],
      request: FastifyRequest,
    ) =>
      viewIncident(deps, linkToken(request)).then((view) =>
        incidentPage(ctx, view, linkToken(request), undefined, state),
      );
    app.post(
      '/incident/message',
      limited,
      formHandler(config, incidentForm, async (request, reply) => {
        const input = parseForm(messageForm, request.body);
        await contactSupport(deps, input.token, { kind: 'message', body: input.message }, requestOrigin(request));
        return reply.redirect(`/incident?token=${input.token}&notice=sent`, 303);
      }),
    );
    app.post(
      '/incident/claim',
      limited,
      formHandler(config, incidentForm, async (request, reply) => {
        const input = parseForm(z.object({ token }), request.body);
        await claimIncident(deps, input.token, requestOrigin(request));
        return reply.redirect(`/incident?token=${input.token}&notice=claimed`, 303);
      }),
    );
    app.post(
      '/incident/callback',
      limited,
      formHandler(config, incidentForm, async (request, reply) => {
        const input = parseForm(callbackForm, request.body);
        await contactSupport(
          deps,
          input.token,
          { kind: 'callback', phone: input.phone, preferredTime: input.preferredTime, body: input.message },
          requestOrigin(request),
        );
        return reply.redirect(`/incident?token=${input.token}&notice=sent`, 303);
      }),
    );

    app.get('/object', async (request, reply) => {
      await viewObjection(deps, linkToken(request));
      return sendHtml(reply, 200, objectPage(pageContext(request, reply, config), linkToken(request)));
    });
    app.post(
      '/object',
      limited,
      formHandler(
        config,
        (ctx, state, request) => objectPage(ctx, linkToken(request), state),
        async (request, reply) => {
          const input = parseForm(objectForm, request.body);
          await objectToIncident(deps, input.token, input.message, requestOrigin(request));
          const ctx = pageContext(request, reply, config);
          return sendHtml(reply, 200, messagePage(ctx, ctx.t('object.title'), ctx.t('object.done')));
        },
      ),
    );

    const recoveryForm = async (ctx: Parameters<typeof recoverPage>[0], request: FastifyRequest, state = {}) =>
      recoverPage(ctx, linkToken(request), await recoveryRequirements(deps, linkToken(request)), state);
    app.get('/recover', async (request, reply) =>
      sendHtml(reply, 200, await recoveryForm(pageContext(request, reply, config), request)),
    );
    app.post(
      '/recover',
      limited,
      formHandler(
        config,
        (ctx, state, request) => recoveryForm(ctx, request, state),
        async (request, reply) => {
          const input = parseForm(recoverForm, request.body);
          await completeRecovery(
            deps,
            input.token,
            { newPassword: input.password, proof: input.code ? { code: input.code } : null },
            requestOrigin(request),
          );
          return reply.redirect('/sign-in?notice=recovered', 303);
        },
      ),
    );
    app.post('/recover/passkey/options', limited, async (request, reply) =>
      reply.send(await recoveryPasskeyOptions(deps, linkToken(request))),
    );
    app.post(
      '/recover/passkey',
      limited,
      formHandler(
        config,
        (ctx, state, request) => recoveryForm(ctx, request, state),
        async (request, reply) => {
          const input = parseForm(recoverWithPasskeyForm, request.body);
          const proof = { passkey: authenticationCredential(input.credential) };
          await completeRecovery(deps, input.token, { newPassword: input.password, proof }, requestOrigin(request));
          return reply.redirect('/sign-in?notice=recovered', 303);
        },
        SECRET_FIELDS,
      ),
    );

    app.post('/account/checklist/:incidentId/:item', async (request, reply) => {
      if (!request.session) throw new DomainError('UNAUTHENTICATED');
      const params = request.params as { incidentId?: string; item?: string };
      if (!/^[0-9a-f-]{36}$/.test(params.incidentId ?? '')) throw new DomainError('NOT_FOUND');
      await tickChecklistItem(
        deps,
        request.session.accountId,
        params.incidentId ?? '',
        params.item ?? '',
        requestOrigin(request),
      );
      return reply.redirect('/account', 303);
    });

    app.get('/account/activity', async (request, reply) => {
      if (!request.session) return reply.redirect('/sign-in?returnTo=/account/activity', 303);
      const records = await recentActivity(deps, request.session.accountId);
      return sendHtml(reply, 200, activityPage(pageContext(request, reply, config), records));
    });
  };
}
