import type { FastifyInstance } from 'fastify';
import type { ServiceDeps } from '../../services/deps.ts';
import { checkSecureAccountLink, secureAccountByLink } from '../../services/sign-in/secure-account.ts';
import { confirmLinkPage } from '../../views/pages/public-pages.ts';
import { parseForm, tokenForm } from '../form-input.ts';
import { linkToken, pageContext, requestOrigin, sendHtml } from '../request-context.ts';

/**
 * The sign-in code mail's button (issue 25): the page says what it will do; only its button acts, so a
 * mail scanner that opens the link changes nothing. The button ends every session and goes on to
 * setting a new password in this browser.
 */
export function secureAccountRoutes(deps: ServiceDeps) {
  const { config } = deps;
  return async function secureAccountRoutesPlugin(app: FastifyInstance) {
    app.get('/secure-account', async (request, reply) => {
      const token = linkToken(request);
      await checkSecureAccountLink(deps, token);
      const ctx = pageContext(request, reply, config);
      return sendHtml(
        reply,
        200,
        confirmLinkPage(ctx, {
          title: ctx.t('secure.title'),
          body: ctx.t('secure.body'),
          action: '/secure-account',
          token,
          submit: ctx.t('secure.submit'),
        }),
      );
    });
    app.post('/secure-account', { config: { rateLimit: { max: 20, timeWindow: 60_000 } } }, async (request, reply) => {
      const { token } = parseForm(tokenForm, request.body);
      return reply.redirect(await secureAccountByLink(deps, token, requestOrigin(request)), 303);
    });
  };
}
