import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import { allowShopLogo } from '../page-policy.ts';
import { shopForReturnTo } from '../../services/oidc/interaction-shop.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { requestPasswordReset, checkResetLink, completePasswordReset } from '../../services/account/password-reset.ts';
import { checkVerificationLink, register, verifyEmail } from '../../services/account/registration.ts';
import { signOut, type ActiveSession } from '../../services/sessions/sessions.ts';
import { signIn } from '../../services/sign-in/password-step.ts';
import { reauthenticate } from '../../services/sign-in/reauthentication.ts';
import { isKnownBrowser, readSignInSubject, type SignInSubject } from '../../services/sign-in/throttle.ts';
import { rememberLocale } from '../../services/account/profile.ts';
import { field } from '../../views/forms.ts';
import type { FormState } from '../../views/page-context.ts';
import {
  confirmLinkPage,
  forgotPasswordPage,
  homePage,
  messagePage,
  reauthPage,
  registerPage,
  signInPage,
} from '../../views/pages/public-pages.ts';
import { email, parseForm, password, safeReturnPath, text, tokenForm } from '../form-input.ts';
import { formHandler } from '../form-route.ts';
import { setLanguageCookie } from '../language-switch.ts';
import { PENDING_COOKIE } from './two-step-routes.ts';
import {
  clearSessionCookie,
  ensureDeviceCookie,
  linkToken,
  noticeText,
  pageContext,
  requestOrigin,
  sendHtml,
  setSessionCookie,
} from '../request-context.ts';

/** Per client address and minute on forms that send mail (kept in the store, shared by instances). */
const MAIL_LIMIT = { rateLimit: { max: 5, timeWindow: 60_000 } };

const registerForm = z.object({ name: text(100), email, password, returnTo: z.string().optional() });
const signInForm = z.object({ email, password, returnTo: z.string().optional() });
const resetForm = z.object({ token: z.string({ error: 'required' }).max(100, 'too_long'), password });
const reauthForm = z.object({ password, returnTo: z.string().optional() });
const languageForm = z.object({
  locale: z.enum(['ja', 'en'], { error: 'invalid_format' }),
  returnTo: z.string().optional(),
});

/** Where a finished password sign-in goes: `session` is the one it started, its cookie already set on the reply. */
export type AfterSignIn = (
  request: FastifyRequest,
  reply: FastifyReply,
  session: ActiveSession,
  returnTo: string,
) => FastifyReply | Promise<FastifyReply>;

export function authRoutes(deps: ServiceDeps, shopSignIn?: { path: string; afterSignIn: AfterSignIn }) {
  const { config } = deps;
  /** Per client address and minute on every form that checks a secret. */
  const AUTH_LIMIT = { rateLimit: { max: config.signInLimitPerMinute, timeWindow: 60_000 } };
  /** The same limit, except for a browser the session's account has signed in from before. */
  const STRANGER_LIMIT = {
    rateLimit: {
      ...AUTH_LIMIT.rateLimit,
      hook: 'preHandler' as const,
      allowList: (request: FastifyRequest) =>
        isKnownBrowser(deps, request.session?.accountId, requestOrigin(request).deviceId ?? null),
    },
  };
  /** The account the sign-in form names and this browser's standing with it, read once per request. */
  const subjects = new WeakMap<FastifyRequest, Promise<SignInSubject | null>>();
  const subjectOf = (request: FastifyRequest): Promise<SignInSubject | null> => {
    let subject = subjects.get(request);
    if (!subject) {
      const email = (request.body as Record<string, unknown> | undefined)?.email;
      subject =
        typeof email === 'string' && email.length <= 254
          ? readSignInSubject(deps, email, requestOrigin(request).deviceId ?? null, request.ip)
          : Promise.resolve(null);
      subjects.set(request, subject);
    }
    return subject;
  };
  /** The limit for strangers on the sign-in form: a browser the named account has signed in from is let through. */
  const SIGN_IN_LIMIT = {
    rateLimit: {
      ...AUTH_LIMIT.rateLimit,
      // One count for both addresses the form posts to (/sign-in, and a shop's interaction).
      groupId: 'sign-in',
      hook: 'preHandler' as const,
      allowList: async (request: FastifyRequest) => Boolean((await subjectOf(request))?.device?.firstSeenAt),
    },
  };
  /** A form shown again after an error still names the shop of the authorization it belongs to. */
  async function shopOf(state: FormState, reply: FastifyReply) {
    const shop = await shopForReturnTo(deps, safeReturnPath(state.values?.returnTo, ''));
    allowShopLogo(reply, shop);
    return shop;
  }

  return async function authRoutesPlugin(app: FastifyInstance) {
    app.get('/', async (request, reply) => {
      if (request.session) return reply.redirect('/account', 303);
      return sendHtml(reply, 200, homePage(pageContext(request, reply, config), noticeText(request)));
    });

    app.get('/register', async (request, reply) => {
      const returnTo = safeReturnPath((request.query as Record<string, unknown>).returnTo, '');
      const shop = await shopForReturnTo(deps, returnTo);
      allowShopLogo(reply, shop);
      return sendHtml(reply, 200, registerPage(pageContext(request, reply, config), { values: { returnTo } }, shop));
    });
    app.post(
      '/register',
      { config: MAIL_LIMIT },
      formHandler(
        config,
        async (ctx, state, _request, reply) => registerPage(ctx, state, await shopOf(state, reply)),
        async (request, reply) => {
          const input = parseForm(registerForm, request.body);
          const returnTo = safeReturnPath(input.returnTo, '');
          await register(deps, { ...input, returnTo: returnTo || undefined, locale: request.locale });
          const ctx = pageContext(request, reply, config);
          // Started at a shop: once the address is confirmed (in another tab), this tab goes on from here.
          const goOn = returnTo
            ? { href: `/sign-in?returnTo=${encodeURIComponent(returnTo)}`, label: ctx.t('register.done.continue') }
            : undefined;
          return sendHtml(
            reply,
            200,
            messagePage(ctx, ctx.t('register.done.title'), ctx.t('register.done.body', { email: input.email }), goOn),
          );
        },
      ),
    );

    app.get('/verify-email', async (request, reply) => {
      const token = linkToken(request);
      await checkVerificationLink(deps, token);
      const ctx = pageContext(request, reply, config);
      return sendHtml(
        reply,
        200,
        confirmLinkPage(ctx, {
          title: ctx.t('verify.title'),
          body: ctx.t('verify.body'),
          action: '/verify-email',
          token,
          submit: ctx.t('verify.submit'),
        }),
      );
    });
    app.post('/verify-email', { config: AUTH_LIMIT }, async (request, reply) => {
      const { token } = parseForm(tokenForm, request.body);
      // Registered during a shop's sign-in: the password is asked once more, then the sign-in goes on to the
      // shop. Not signed in by the link alone: whoever registered an address chose its password, and the
      // mailbox owner who merely confirms must not end up in an account a stranger can open too.
      const { returnTo } = await verifyEmail(deps, token);
      const next = safeReturnPath(returnTo, '');
      return reply.redirect(
        next ? `/sign-in?notice=verified&returnTo=${encodeURIComponent(next)}` : '/sign-in?notice=verified',
        303,
      );
    });

    app.get('/sign-in', async (request, reply) => {
      const returnTo = safeReturnPath((request.query as Record<string, unknown>).returnTo, '');
      const shop = await shopForReturnTo(deps, returnTo);
      allowShopLogo(reply, shop);
      return sendHtml(
        reply,
        200,
        signInPage(pageContext(request, reply, config), { values: { returnTo } }, noticeText(request), shop),
      );
    });
    /** The password form's work; `afterSignIn` says where a finished sign-in goes from here. */
    const passwordSignIn = (afterSignIn: AfterSignIn) =>
      formHandler(
        config,
        async (ctx, state, request, reply) =>
          signInPage(ctx, state, undefined, await shopOf(state, reply), { action: request.url.split('?')[0] }),
        async (request, reply) => {
          const input = parseForm(signInForm, request.body);
          ensureDeviceCookie(request, reply, config, deps.random.token);
          const asked = safeReturnPath(input.returnTo, '');
          const result = await signIn(
            deps,
            { ...input, returnTo: asked || undefined },
            requestOrigin(request),
            (await subjectOf(request)) ?? undefined,
          );
          const returnTo = asked || '/account';
          if (result.kind === 'second-step') {
            reply.setCookie(PENDING_COOKIE, result.pendingToken, {
              path: '/sign-in',
              httpOnly: true,
              secure: config.secureCookies,
              sameSite: 'lax',
              maxAge: 600,
            });
            return reply.redirect(`/sign-in/two-step?returnTo=${encodeURIComponent(returnTo)}`, 303);
          }
          setSessionCookie(reply, config, result.token);
          return afterSignIn(request, reply, result.session, returnTo);
        },
      );
    app.post(
      '/sign-in',
      { config: SIGN_IN_LIMIT },
      passwordSignIn((_request, reply, _session, returnTo) => reply.redirect(returnTo, 303)),
    );
    // A shop's sign-in posts under its interaction (oidc-routes.ts), which it finishes in the same request.
    if (shopSignIn) app.post(shopSignIn.path, { config: SIGN_IN_LIMIT }, passwordSignIn(shopSignIn.afterSignIn));

    app.post('/sign-out', async (request, reply) => {
      if (request.session) await signOut(deps, request.session);
      clearSessionCookie(reply, config);
      return reply.redirect('/sign-in?notice=signed-out', 303);
    });

    app.get('/reauth', async (request, reply) => {
      if (!request.session) throw new DomainError('UNAUTHENTICATED');
      const returnTo = safeReturnPath((request.query as Record<string, unknown>).returnTo, '/account');
      return sendHtml(reply, 200, reauthPage(pageContext(request, reply, config), returnTo));
    });
    app.post(
      '/reauth',
      { config: STRANGER_LIMIT },
      formHandler(
        config,
        (ctx, state, request) =>
          reauthPage(ctx, safeReturnPath((request.body as Record<string, unknown>)?.returnTo, '/account'), state),
        async (request, reply) => {
          if (!request.session) throw new DomainError('UNAUTHENTICATED');
          const input = parseForm(reauthForm, request.body);
          const token = await reauthenticate(deps, request.session, input.password, requestOrigin(request));
          setSessionCookie(reply, config, token);
          return reply.redirect(safeReturnPath(input.returnTo, '/account'), 303);
        },
      ),
    );

    app.get('/forgot-password', async (request, reply) =>
      sendHtml(reply, 200, forgotPasswordPage(pageContext(request, reply, config))),
    );
    app.post(
      '/forgot-password',
      { config: MAIL_LIMIT },
      formHandler(
        config,
        (ctx, state) => forgotPasswordPage(ctx, state),
        async (request, reply) => {
          const input = parseForm(z.object({ email }), request.body);
          requestPasswordReset(deps, input.email);
          const ctx = pageContext(request, reply, config);
          return sendHtml(
            reply,
            200,
            messagePage(ctx, ctx.t('forgot.title'), ctx.t('forgot.done', { email: input.email })),
          );
        },
      ),
    );

    const resetForToken = (ctx: Parameters<typeof confirmLinkPage>[0], token: string, state = {}) =>
      confirmLinkPage(
        ctx,
        {
          title: ctx.t('reset.title'),
          body: ctx.t('register.passwordHint'),
          action: '/reset-password',
          token,
          submit: ctx.t('reset.submit'),
        },
        state,
        field(
          ctx,
          { name: 'password', label: 'reset.password', type: 'password', autocomplete: 'new-password', required: true },
          state,
        ),
      );
    app.get('/reset-password', async (request, reply) => {
      const token = linkToken(request);
      await checkResetLink(deps, token);
      return sendHtml(reply, 200, resetForToken(pageContext(request, reply, config), token));
    });
    app.post(
      '/reset-password',
      { config: AUTH_LIMIT },
      formHandler(
        config,
        (ctx, state, request) => resetForToken(ctx, linkToken(request), state),
        async (request, reply) => {
          const input = parseForm(resetForm, request.body);
          await completePasswordReset(deps, input.token, input.password, requestOrigin(request));
          clearSessionCookie(reply, config);
          return reply.redirect('/sign-in?notice=reset', 303);
        },
      ),
    );

    app.post('/language', async (request, reply) => {
      const input = parseForm(languageForm, request.body);
      setLanguageCookie(reply, config, input.locale);
      if (request.session) {
        await rememberLocale(deps, request.session.accountId, input.locale);
      }
      return reply.redirect(safeReturnPath(input.returnTo, '/'), 303);
    });
  };
}
