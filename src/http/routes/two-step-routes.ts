import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { ServiceDeps } from '../../services/deps.ts';
import { completeSecondStep, pendingMethod, resendSignInCode } from '../../services/sign-in/second-step.ts';
import {
  confirmTotp,
  removeTotp,
  renewRecoveryCodes,
  startTotpSetup,
  twoStepStatus,
} from '../../services/second-factors/totp.ts';
import type { FormState, PageContext } from '../../views/page-context.ts';
import { secondStepPage, twoStepPage } from '../../views/pages/two-step-pages.ts';
import { parseForm, safeReturnPath } from '../form-input.ts';
import { formHandler } from '../form-route.ts';
import { pageContext, requestOrigin, sendHtml, setSessionCookie, requireSession } from '../request-context.ts';

const codeForm = z.object({ code: z.string({ error: 'required' }).trim().min(1, 'required').max(40, 'too_long') });
export const PENDING_COOKIE = 'mamori_second_step';

/** Two-step sign-in: the account's authenticator app and recovery codes, and the second sign-in step. */
export function twoStepRoutes(deps: ServiceDeps) {
  const { config } = deps;
  const limited = { config: { rateLimit: { max: config.signInLimitPerMinute, timeWindow: 60_000 } } };

  async function render(request: FastifyRequest, ctx: PageContext, state: FormState = {}, codes?: string[]) {
    const status = await twoStepStatus(deps, requireSession(request));
    const qr = status.pending
      ? await QRCode.toString(status.pending.uri, { type: 'svg', margin: 1, width: 200 })
      : null;
    return twoStepPage(ctx, status, qr, state, codes);
  }

  return async function twoStepRoutesPlugin(app: FastifyInstance) {
    app.get('/account/two-step', async (request, reply) => {
      if (!request.session) return reply.redirect('/sign-in?returnTo=/account/two-step', 303);
      return sendHtml(reply, 200, await render(request, pageContext(request, reply, config)));
    });
    app.post('/account/two-step/start', async (request, reply) => {
      await startTotpSetup(deps, requireSession(request));
      return reply.redirect('/account/two-step', 303);
    });
    app.post(
      '/account/two-step/confirm',
      limited,
      formHandler(
        config,
        (ctx, state, request) => render(request, ctx, state),
        async (request, reply) => {
          const input = parseForm(codeForm, request.body);
          const codes = await confirmTotp(deps, requireSession(request), requestOrigin(request), input.code);
          return sendHtml(reply, 200, await render(request, pageContext(request, reply, config), {}, codes));
        },
      ),
    );
    app.post('/account/two-step/recovery-codes', async (request, reply) => {
      const codes = await renewRecoveryCodes(deps, requireSession(request), requestOrigin(request));
      return sendHtml(reply, 200, await render(request, pageContext(request, reply, config), {}, codes));
    });
    app.post('/account/two-step/remove', async (request, reply) => {
      await removeTotp(deps, requireSession(request), requestOrigin(request));
      return reply.redirect('/account/two-step', 303);
    });

    const returnPath = (request: FastifyRequest) =>
      safeReturnPath((request.query as Record<string, unknown>).returnTo, '/account');
    const renderStep = async (request: FastifyRequest, ctx: PageContext, state: FormState = {}, notice?: string) =>
      secondStepPage(
        ctx,
        await pendingMethod(deps, request.cookies[PENDING_COOKIE]),
        returnPath(request),
        state,
        notice,
      );

    app.get('/sign-in/two-step', async (request, reply) => {
      const notice =
        (request.query as Record<string, unknown>).notice === 'code-sent'
          ? pageContext(request, reply, config).t('challenge.resent')
          : undefined;
      return sendHtml(reply, 200, await renderStep(request, pageContext(request, reply, config), {}, notice));
    });
    app.post(
      '/sign-in/two-step',
      limited,
      formHandler(
        config,
        (ctx, state, request) => renderStep(request, ctx, state),
        async (request, reply: FastifyReply) => {
          const input = parseForm(codeForm, request.body);
          const { token } = await completeSecondStep(
            deps,
            request.cookies[PENDING_COOKIE],
            input.code,
            requestOrigin(request),
          );
          reply.clearCookie(PENDING_COOKIE, { path: '/sign-in' });
          setSessionCookie(reply, config, token);
          return reply.redirect(returnPath(request), 303);
        },
      ),
    );
    app.post(
      '/sign-in/two-step/resend',
      { config: { rateLimit: { max: 3, timeWindow: 60_000 } } },
      async (request, reply) => {
        await resendSignInCode(deps, request.cookies[PENDING_COOKIE], requestOrigin(request));
        return reply.redirect(
          `/sign-in/two-step?notice=code-sent&returnTo=${encodeURIComponent(returnPath(request))}`,
          303,
        );
      },
    );
  };
}
