import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import { CARD_BRANDS } from '../../core/payment-card.ts';
import {
  changePassword,
  checkEmailChangeLink,
  confirmEmailChange,
  requestEmailChange,
} from '../../services/account/credentials.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { pendingChecklistFor } from '../../services/incidents/lifecycle.ts';
import {
  addAddress,
  addPaymentMethod,
  changeName,
  changePhone,
  changeSubscription,
  deleteAddress,
  deletePaymentMethod,
  getProfile,
} from '../../services/account/profile.ts';
import type { FormState, PageContext } from '../../views/page-context.ts';
import { accountPage, type AccountForm } from '../../views/pages/account-page.ts';
import { confirmLinkPage, messagePage } from '../../views/pages/public-pages.ts';
import {
  cancelDelayedChange,
  cancelDelayedChangeByLink,
  checkCancelLink,
  pendingDelayedChanges,
} from '../../services/delayed-changes/pending.ts';
import { email, optionalText, parseForm, password, text, tokenForm } from '../form-input.ts';
import { formHandler } from '../form-route.ts';
import {
  linkToken,
  noticeText,
  pageContext,
  requestOrigin,
  sendHtml,
  setSessionCookie,
  type NoticeName,
  requireSession,
} from '../request-context.ts';

const nameForm = z.object({ name: text(100) });
const phoneForm = z.object({
  phone: optionalText(30).refine((v) => v === null || /^\+?[0-9 ()-]{6,30}$/.test(v), 'invalid_format'),
});
const emailChangeForm = z.object({ newEmail: email, currentPassword: password });
const passwordChangeForm = z.object({
  currentPassword: password,
  newPassword: password,
  signOutOthers: z.literal('yes').optional(),
});
const addressForm = z.object({
  recipient: text(100),
  postalCode: text(16).refine((v) => /^[0-9A-Za-z -]{2,16}$/.test(v), 'invalid_format'),
  region: text(100),
  city: text(100),
  line1: text(200),
  line2: optionalText(200),
  country: text(2)
    .transform((v) => v.toUpperCase())
    .refine((v) => /^[A-Z]{2}$/.test(v), 'invalid_format'),
});
const paymentForm = z.object({
  processorToken: text(128).refine((v) => /^[A-Za-z0-9_-]+$/.test(v.replace(/[\s-]/g, '')), 'invalid_format'),
  brand: z.enum(CARD_BRANDS, { error: 'invalid_format' }),
  last4: z.string({ error: 'required' }).regex(/^\d{4}$/, 'invalid_format'),
  expMonth: z.coerce
    .number({ error: 'invalid_format' })
    .int('invalid_format')
    .min(1, 'invalid_format')
    .max(12, 'invalid_format'),
  expYear: z.coerce
    .number({ error: 'invalid_format' })
    .int('invalid_format')
    .min(2000, 'invalid_format')
    .max(2100, 'invalid_format'),
});
const subscriptionForm = z.object({
  interval: z.enum(['weekly', 'monthly', 'yearly'], { error: 'invalid_format' }),
  status: z.enum(['active', 'paused', 'cancelled'], { error: 'invalid_format' }),
});
const idParam = z.object({ id: z.string().regex(/^[0-9a-f-]{36}$/, 'invalid_format') });

function parseId(params: unknown): string {
  const result = idParam.safeParse(params);
  if (!result.success) throw new DomainError('NOT_FOUND');
  return result.data.id;
}

export function accountRoutes(deps: ServiceDeps) {
  const { config } = deps;
  const done = (reply: FastifyReply, notice: NoticeName = 'saved') => reply.redirect(`/account?notice=${notice}`, 303);
  const doneOrHeld = (reply: FastifyReply, outcome: { held: boolean }, notice: NoticeName = 'saved') =>
    done(reply, outcome.held ? 'held' : notice);
  const renderAccount = (form: AccountForm) => async (ctx: PageContext, state: FormState, request: FastifyRequest) => {
    const session = requireSession(request);
    const [profile, held] = await Promise.all([
      getProfile(deps, session),
      pendingDelayedChanges(deps, session.accountId),
    ]);
    return accountPage(ctx, profile, { form, state, held });
  };

  return async function accountRoutesPlugin(app: FastifyInstance) {
    app.addHook('preHandler', async (request, reply) => {
      if (!request.url.startsWith('/account')) return;
      if (!request.session) {
        if (request.method === 'GET')
          return reply.redirect(
            `/sign-in?returnTo=${encodeURIComponent(request.url.split('?')[0] ?? '/account')}`,
            303,
          );
        throw new DomainError('UNAUTHENTICATED');
      }
    });

    app.get('/account', async (request, reply) => {
      const session = requireSession(request);
      const [profile, checklist, held] = await Promise.all([
        getProfile(deps, session),
        pendingChecklistFor(deps, session.accountId),
        pendingDelayedChanges(deps, session.accountId),
      ]);
      return sendHtml(
        reply,
        200,
        accountPage(pageContext(request, reply, config), profile, { flash: noticeText(request), checklist, held }),
      );
    });

    app.post('/account/held/:id/cancel', async (request, reply) => {
      await cancelDelayedChange(deps, requireSession(request), requestOrigin(request), parseId(request.params));
      return done(reply, 'held-cancelled');
    });

    app.post(
      '/account/name',
      formHandler(config, renderAccount('name'), async (request, reply) => {
        const input = parseForm(nameForm, request.body);
        await changeName(deps, requireSession(request), requestOrigin(request), input.name);
        return done(reply);
      }),
    );

    app.post(
      '/account/phone',
      formHandler(config, renderAccount('phone'), async (request, reply) => {
        const input = parseForm(phoneForm, request.body);
        return doneOrHeld(reply, await changePhone(deps, requireSession(request), requestOrigin(request), input.phone));
      }),
    );

    app.post(
      '/account/email',
      { config: { rateLimit: { max: 10, timeWindow: 60_000 } } },
      formHandler(config, renderAccount('email'), async (request, reply) => {
        const input = parseForm(emailChangeForm, request.body);
        return doneOrHeld(
          reply,
          await requestEmailChange(deps, requireSession(request), requestOrigin(request), input),
          'email-pending',
        );
      }),
    );

    app.post(
      '/account/password',
      { config: { rateLimit: { max: 10, timeWindow: 60_000 } } },
      formHandler(config, renderAccount('password'), async (request, reply) => {
        const input = parseForm(passwordChangeForm, request.body);
        const outcome = await changePassword(deps, requireSession(request), requestOrigin(request), {
          currentPassword: input.currentPassword,
          newPassword: input.newPassword,
          signOutOthers: input.signOutOthers === 'yes',
        });
        if (outcome.held) return done(reply, 'held');
        setSessionCookie(reply, config, outcome.token);
        return done(reply, 'password-changed');
      }),
    );

    app.post(
      '/account/addresses',
      formHandler(config, renderAccount('address'), async (request, reply) => {
        const input = parseForm(addressForm, request.body);
        return doneOrHeld(reply, await addAddress(deps, requireSession(request), requestOrigin(request), input));
      }),
    );

    app.post('/account/addresses/:id/remove', async (request, reply) => {
      await deleteAddress(deps, requireSession(request), requestOrigin(request), parseId(request.params));
      return done(reply);
    });

    app.post(
      '/account/payment-methods',
      formHandler(config, renderAccount('payment'), async (request, reply) => {
        const input = parseForm(paymentForm, request.body);
        return doneOrHeld(reply, await addPaymentMethod(deps, requireSession(request), requestOrigin(request), input));
      }),
    );

    app.post('/account/payment-methods/:id/remove', async (request, reply) => {
      await deletePaymentMethod(deps, requireSession(request), requestOrigin(request), parseId(request.params));
      return done(reply);
    });

    app.post('/account/subscriptions/:id', async (request, reply) => {
      const input = parseForm(subscriptionForm, request.body);
      await changeSubscription(deps, requireSession(request), requestOrigin(request), {
        id: parseId(request.params),
        ...input,
      });
      return done(reply);
    });

    // The cancel link of a held change: the page shows what waits; only its button acts.
    app.get('/held/cancel', async (request, reply) => {
      const token = linkToken(request);
      const held = await checkCancelLink(deps, token);
      const ctx = pageContext(request, reply, config);
      const what = held.detail ? `${ctx.t(`held.kind.${held.kind}`)}: ${held.detail}` : ctx.t(`held.kind.${held.kind}`);
      return sendHtml(
        reply,
        200,
        confirmLinkPage(ctx, {
          title: ctx.t('held.cancelTitle'),
          body: `${what} — ${ctx.t('held.cancelBody')}`,
          action: '/held/cancel',
          token,
          submit: ctx.t('held.cancel'),
        }),
      );
    });
    app.post('/held/cancel', { config: { rateLimit: { max: 20, timeWindow: 60_000 } } }, async (request, reply) => {
      const { token } = parseForm(tokenForm, request.body);
      await cancelDelayedChangeByLink(deps, token, requestOrigin(request));
      const ctx = pageContext(request, reply, config);
      return sendHtml(reply, 200, messagePage(ctx, ctx.t('held.cancelTitle'), ctx.t('held.cancelled')));
    });

    // The confirmation link of an email change: opened from the new mailbox, possibly on another device.
    app.get('/confirm-email', async (request, reply) => {
      const token = linkToken(request);
      const { newEmail } = await checkEmailChangeLink(deps, token);
      const ctx = pageContext(request, reply, config);
      return sendHtml(
        reply,
        200,
        confirmLinkPage(ctx, {
          title: ctx.t('account.changeEmail'),
          body: newEmail,
          action: '/confirm-email',
          token,
          submit: ctx.t('mail.confirmEmail.action'),
        }),
      );
    });
    app.post('/confirm-email', { config: { rateLimit: { max: 20, timeWindow: 60_000 } } }, async (request, reply) => {
      const { token } = parseForm(tokenForm, request.body);
      await confirmEmailChange(deps, token, requestOrigin(request));
      return reply.redirect(request.session ? '/account?notice=saved' : '/sign-in?notice=saved', 303);
    });
  };
}
