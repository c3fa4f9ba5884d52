import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isDomainError } from '../../core/errors.ts';
import { ORDER_DECISIONS } from '../../core/shop/held-orders.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { viewIncident } from '../../services/incidents/lifecycle.ts';
import { decideHeldOrder } from '../../services/shop-changes/held-orders.ts';
import { incidentPage } from '../../views/pages/incident-pages.ts';
import { messagePage } from '../../views/pages/public-pages.ts';
import type { MessageKey } from '../../views/i18n/translate.ts';
import { messageValues, statusFor } from '../error-mapping.ts';
import { parseForm, tokenForm } from '../form-input.ts';
import { formHandler } from '../form-route.ts';
import { linkToken, pageContext, requestOrigin, requireSession, sendHtml } from '../request-context.ts';

/** A held order's request and the choice made for it, from the path; anything else is a page that does not exist. */
export const decisionParams = z.object({
  holdId: z.uuid({ error: 'invalid_format' }),
  decision: z.enum(ORDER_DECISIONS, { error: 'invalid_format' }),
});

/**
 * "This was mine: release it" and "Cancel it" (issue 25): from the incident page (by the party's own
 * link, so the standing of whoever holds it decides) and from the checklist (signed in after recovery).
 * Both only POST, with the CSRF token every form carries; a refusal shows the page again with the reason.
 */
export function heldOrderRoutes(deps: ServiceDeps) {
  const { config } = deps;
  const limited = { config: { rateLimit: { max: config.signInLimitPerMinute, timeWindow: 60_000 } } };
  const params = (request: FastifyRequest) => parseForm(decisionParams, request.params);

  return async function heldOrderRoutesPlugin(app: FastifyInstance) {
    app.post(
      '/incident/orders/:holdId/:decision',
      limited,
      formHandler(
        config,
        async (ctx, state, request) =>
          incidentPage(ctx, await viewIncident(deps, linkToken(request)), linkToken(request), undefined, state),
        async (request, reply) => {
          const { token } = parseForm(tokenForm, request.body);
          const { holdId, decision } = params(request);
          await decideHeldOrder(deps, { by: 'link', statusToken: token }, holdId, decision, requestOrigin(request));
          return reply.redirect(`/incident?token=${token}&notice=order-sent`, 303);
        },
      ),
    );

    app.post('/account/orders/:holdId/:decision', async (request, reply) => {
      const session = requireSession(request);
      try {
        const { holdId, decision } = params(request);
        await decideHeldOrder(
          deps,
          { by: 'account', accountId: session.accountId },
          holdId,
          decision,
          requestOrigin(request),
        );
        return reply.redirect('/account?notice=order-sent', 303);
      } catch (error) {
        if (!isDomainError(error) || error.code === 'UNAUTHENTICATED') throw error;
        const ctx = pageContext(request, reply, config);
        const text = ctx.t(`error.${error.code}` as MessageKey, messageValues(error));
        const back = { href: '/account', label: ctx.t('account.title') };
        return sendHtml(reply, statusFor(error.code), messagePage(ctx, ctx.t('orders.title'), text, back));
      }
    });
  };
}
