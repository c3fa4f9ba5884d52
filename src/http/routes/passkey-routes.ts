import type { FastifyInstance, FastifyRequest } from 'fastify';
import { proveWithSignInPasskey } from '../../services/incidents/prove.ts';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { ServiceDeps } from '../../services/deps.ts';
import {
  passkeysOf,
  registerPasskey,
  registrationOptions,
  removePasskey,
  renamePasskey,
  secondStepOptions,
  signInOptions,
  signInWithPasskey,
  completeSecondStepWithPasskey,
} from '../../services/second-factors/passkeys.ts';
import { sessionIsPrivileged } from '../../services/sessions/sessions.ts';
import { pendingAccountId } from '../../services/sign-in/second-step.ts';
import type { FormState, PageContext } from '../../views/page-context.ts';
import { passkeysPage } from '../../views/pages/passkey-pages.ts';
import { signInPage } from '../../views/pages/public-pages.ts';
import { optionalText, parseForm, safeReturnPath, text } from '../form-input.ts';
import { formHandler } from '../form-route.ts';
import { authenticationCredential, registrationCredential } from '../passkey-input.ts';
import {
  ensureDeviceCookie,
  noticeText,
  pageContext,
  requestOrigin,
  requireSession,
  sendHtml,
  setSessionCookie,
} from '../request-context.ts';
import { PENDING_COOKIE } from './two-step-routes.ts';

const require = createRequire(import.meta.url);
// The package exports only its modules; its UMD bundle sits beside them (the file unpkg serves).
const BROWSER_BUNDLE = readFileSync(
  join(dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js'),
);

const SECRET_FIELDS = ['credential', 'password'];
const nameForm = z.object({ name: text(60) });
const registerForm = z.object({ name: optionalText(60), credential: z.string(), returnTo: z.string().optional() });
const signInForm = z.object({
  credential: z.string(),
  email: z.string().max(254).optional(),
  returnTo: z.string().optional(),
});
const idParam = z.object({ id: z.uuid() });

/** Where she goes on once a passkey is added (the add form's field, or the page's own address). */
function goingOnTo(request: FastifyRequest): string {
  const fields = { ...(request.query as Record<string, unknown>), ...(request.body as Record<string, unknown>) };
  return safeReturnPath(fields.returnTo, '');
}

/** Passkeys: the account's list (add, rename, remove) and signing in with one, as a whole sign-in or as the second step. */
export function passkeyRoutes(deps: ServiceDeps) {
  const { config } = deps;
  const limited = { config: { rateLimit: { max: config.signInLimitPerMinute, timeWindow: 60_000 } } };

  async function render(request: FastifyRequest, ctx: PageContext, state: FormState = {}, codes?: string[] | null) {
    const session = requireSession(request);
    const view = {
      passkeys: await passkeysOf(deps, session),
      privileged: sessionIsPrivileged(deps, session),
      returnTo: goingOnTo(request),
    };
    return passkeysPage(ctx, view, state, noticeText(request), codes);
  }

  return async function passkeyRoutesPlugin(app: FastifyInstance) {
    app.get('/static/vendor/simplewebauthn-browser.js', async (_request, reply) =>
      reply
        .header('content-type', 'text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(BROWSER_BUNDLE),
    );

    app.get('/account/passkeys', async (request, reply) => {
      if (!request.session) return reply.redirect('/sign-in?returnTo=/account/passkeys', 303);
      return sendHtml(reply, 200, await render(request, pageContext(request, reply, config)));
    });
    app.post('/account/passkeys/options', limited, async (request, reply) =>
      reply.send(await registrationOptions(deps, requireSession(request))),
    );
    app.post(
      '/account/passkeys',
      limited,
      formHandler(
        config,
        (ctx, state, request) => render(request, ctx, state),
        async (request, reply) => {
          const session = requireSession(request);
          const input = parseForm(registerForm, request.body);
          const { recoveryCodes } = await registerPasskey(
            deps,
            session,
            requestOrigin(request),
            registrationCredential(input.credential),
            input.name ?? '',
          );
          if (recoveryCodes)
            return sendHtml(reply, 200, await render(request, pageContext(request, reply, config), {}, recoveryCodes));
          return reply.redirect(safeReturnPath(input.returnTo, '/account/passkeys?notice=saved'), 303);
        },
        SECRET_FIELDS,
      ),
    );
    app.post(
      '/account/passkeys/:id/rename',
      formHandler(
        config,
        (ctx, state, request) => render(request, ctx, state),
        async (request, reply) => {
          const { id } = parseForm(idParam, request.params);
          const input = parseForm(nameForm, request.body);
          await renamePasskey(deps, requireSession(request), id, input.name);
          return reply.redirect('/account/passkeys?notice=saved', 303);
        },
      ),
    );
    app.post('/account/passkeys/:id/remove', async (request, reply) => {
      const { id } = parseForm(idParam, request.params);
      await removePasskey(deps, requireSession(request), requestOrigin(request), id);
      return reply.redirect('/account/passkeys?notice=saved', 303);
    });

    app.post('/sign-in/passkey/options', limited, async (_request, reply) => reply.send(await signInOptions(deps)));
    app.post(
      '/sign-in/passkey',
      limited,
      formHandler(
        config,
        (ctx, state) => signInPage(ctx, state),
        async (request, reply) => {
          const input = parseForm(signInForm, request.body);
          ensureDeviceCookie(request, reply, config, deps.random.token);
          const origin = requestOrigin(request);
          const signedIn = await signInWithPasskey(
            deps,
            authenticationCredential(input.credential),
            origin,
            input.email || undefined,
          );
          // A contained account: her passkey from before the intrusion is the proof that opens recovery now.
          if (signedIn.locked) {
            const { recoveryLink } = await proveWithSignInPasskey(
              deps,
              signedIn.locked.account,
              signedIn.locked.passkey,
              origin,
            );
            const next = new URL(recoveryLink);
            return reply.redirect(`${next.pathname}${next.search}`, 303);
          }
          setSessionCookie(reply, config, signedIn.token);
          return reply.redirect(safeReturnPath(input.returnTo, '/account'), 303);
        },
        SECRET_FIELDS,
      ),
    );

    app.post('/sign-in/two-step/passkey/options', limited, async (request, reply) =>
      reply.send(await secondStepOptions(deps, await pendingAccountId(deps, request.cookies[PENDING_COOKIE]))),
    );
    app.post('/sign-in/two-step/passkey', limited, async (request, reply) => {
      const input = parseForm(signInForm, request.body);
      const { token } = await completeSecondStepWithPasskey(
        deps,
        request.cookies[PENDING_COOKIE],
        authenticationCredential(input.credential),
        requestOrigin(request),
      );
      reply.clearCookie(PENDING_COOKIE, { path: '/sign-in' });
      setSessionCookie(reply, config, token);
      return reply.redirect(safeReturnPath((request.query as Record<string, unknown>).returnTo, '/account'), 303);
    });
  };
}
