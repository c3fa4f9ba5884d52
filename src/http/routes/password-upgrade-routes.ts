import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { heldForPasswordUpgrade } from '../../core/password-upgrade.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { sessionIsPrivileged } from '../../services/sessions/sessions.ts';
import { chooseUpgradedPassword, postponePasswordUpgrade } from '../../services/sign-in/password-upgrade.ts';
import { passwordUpgradePage } from '../../views/pages/password-upgrade-page.ts';
import { parseForm, password, safeReturnPath } from '../form-input.ts';
import { formHandler } from '../form-route.ts';
import { pageContext, requestOrigin, requireSession, sendHtml, setSessionCookie } from '../request-context.ts';

const upgradeForm = z.object({ password, returnTo: z.string().optional() });
const laterForm = z.object({ returnTo: z.string().optional() });

const returnOf = (request: FastifyRequest) =>
  safeReturnPath(
    (request.body as Record<string, unknown> | undefined)?.returnTo ??
      (request.query as Record<string, unknown>).returnTo,
    '/account',
  );

/**
 * A sign-in older than a change allows asks for the password again first, then comes back here with the
 * way on (a shop's sign-in waiting) kept.
 */
const confirmFirst = (request: FastifyRequest) =>
  `/reauth?returnTo=${encodeURIComponent(`/password-upgrade?returnTo=${encodeURIComponent(returnOf(request))}`)}`;

/**
 * Read from the session's own row, so neither another page nor another browser skips it: account pages
 * and a shop's sign-in in progress wait for the answer. On the root, so it sees every route.
 */
export function passwordUpgradeGate(app: FastifyInstance): void {
  app.addHook('preHandler', async (request, reply) => {
    const upgrade = request.session?.account?.passwordUpgrade ?? null;
    const path = request.url.split('?')[0] ?? '';
    if (!heldForPasswordUpgrade(upgrade, request.method, path)) return;
    const back = request.method === 'GET' ? request.url : '/account';
    return reply.redirect(`/password-upgrade?returnTo=${encodeURIComponent(back)}`, 303);
  });
}

export function passwordUpgradeRoutes(deps: ServiceDeps) {
  const { config } = deps;
  const render = (request: FastifyRequest, reply: FastifyReply, state = {}) => {
    const upgrade = requireSession(request).account?.passwordUpgrade ?? 'suggested';
    return passwordUpgradePage(pageContext(request, reply, config), upgrade, returnOf(request), state);
  };
  return async function passwordUpgradeRoutesPlugin(app: FastifyInstance) {
    app.get('/password-upgrade', async (request, reply) => {
      const upgrade = request.session?.account?.passwordUpgrade;
      if (!request.session) return reply.redirect('/sign-in', 303);
      if (!upgrade) return reply.redirect(returnOf(request), 303);
      if (!sessionIsPrivileged(deps, request.session)) return reply.redirect(confirmFirst(request), 303);
      return sendHtml(reply, 200, render(request, reply));
    });
    app.post(
      '/password-upgrade',
      formHandler(
        config,
        (ctx, state, request) => {
          const upgrade = requireSession(request).account?.passwordUpgrade ?? 'suggested';
          return passwordUpgradePage(ctx, upgrade, returnOf(request), state);
        },
        async (request, reply) => {
          const session = requireSession(request);
          if (!sessionIsPrivileged(deps, session)) return reply.redirect(confirmFirst(request), 303);
          const input = parseForm(upgradeForm, request.body);
          const token = await chooseUpgradedPassword(deps, session, requestOrigin(request), input.password);
          setSessionCookie(reply, config, token);
          return reply.redirect(safeReturnPath(input.returnTo, '/account'), 303);
        },
      ),
    );
    app.post('/password-upgrade/later', async (request, reply) => {
      const input = parseForm(laterForm, request.body);
      await postponePasswordUpgrade(deps, requireSession(request));
      return reply.redirect(safeReturnPath(input.returnTo, '/account'), 303);
    });
  };
}
