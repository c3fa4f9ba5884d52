import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  checkFirstPasswordLink,
  requestFirstPassword,
  setFirstPassword,
  signInForFirstPasskey,
} from '../../services/account/first-password.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { messagePage } from '../../views/pages/public-pages.ts';
import { firstPasswordRequestPage, firstPasswordSetPage } from '../../views/pages/first-password-pages.ts';
import { passkeysPageGoingOnTo } from '../../views/pages/passkey-pages.ts';
import { email, parseForm, password, safeReturnPath, tokenForm } from '../form-input.ts';
import { formHandler } from '../form-route.ts';
import {
  ensureDeviceCookie,
  linkToken,
  pageContext,
  requestOrigin,
  sendHtml,
  setSessionCookie,
} from '../request-context.ts';

const requestForm = z.object({ email, returnTo: z.string().optional() });
const setForm = z.object({ token: z.string({ error: 'required' }).max(100, 'too_long'), password });

/**
 * Customers a shop brought without a password (issue 26): a one-time link to her address, then a first
 * password or a passkey. The request is answered the same for every address; the link does the rest.
 */
export function firstPasswordRoutes(deps: ServiceDeps) {
  const { config } = deps;
  const MAIL_LIMIT = { rateLimit: { max: 5, timeWindow: 60_000 } };
  const AUTH_LIMIT = { rateLimit: { max: config.signInLimitPerMinute, timeWindow: 60_000 } };
  const returnOf = (value: unknown) => safeReturnPath(value, '');
  return async function firstPasswordRoutesPlugin(app: FastifyInstance) {
    app.get('/first-password', async (request, reply) => {
      const returnTo = returnOf((request.query as Record<string, unknown>).returnTo);
      return sendHtml(reply, 200, firstPasswordRequestPage(pageContext(request, reply, config), returnTo));
    });
    app.post(
      '/first-password',
      { config: MAIL_LIMIT },
      formHandler(
        config,
        (ctx, state, request) =>
          firstPasswordRequestPage(ctx, returnOf((request.body as Record<string, unknown>)?.returnTo), state),
        async (request, reply) => {
          const input = parseForm(requestForm, request.body);
          requestFirstPassword(deps, input.email, returnOf(input.returnTo) || undefined);
          const ctx = pageContext(request, reply, config);
          return sendHtml(
            reply,
            200,
            messagePage(
              ctx,
              ctx.t('firstPassword.sent.title'),
              ctx.t('firstPassword.sent.body', { email: input.email }),
            ),
          );
        },
      ),
    );

    app.get('/first-password/set', async (request, reply) => {
      const token = linkToken(request);
      await checkFirstPasswordLink(deps, token);
      return sendHtml(reply, 200, firstPasswordSetPage(pageContext(request, reply, config), token));
    });
    app.post(
      '/first-password/set',
      { config: AUTH_LIMIT },
      formHandler(
        config,
        (ctx, state, request) => firstPasswordSetPage(ctx, linkToken(request), state),
        async (request, reply) => {
          const input = parseForm(setForm, request.body);
          const { returnTo } = await setFirstPassword(deps, input.token, input.password, requestOrigin(request));
          const next = returnOf(returnTo);
          return reply.redirect(
            `/sign-in?notice=first-password${next ? `&returnTo=${encodeURIComponent(next)}` : ''}`,
            303,
          );
        },
      ),
    );
    app.post('/first-password/passkey', { config: AUTH_LIMIT }, async (request, reply) => {
      const { token } = parseForm(tokenForm, request.body);
      ensureDeviceCookie(request, reply, config, deps.random.token);
      const { sessionToken, returnTo } = await signInForFirstPasskey(deps, token, requestOrigin(request));
      setSessionCookie(reply, config, sessionToken);
      return reply.redirect(passkeysPageGoingOnTo(returnOf(returnTo)), 303);
    });
  };
}
