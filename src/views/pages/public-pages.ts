import { html } from '../html.ts';
import { csrfField, layout } from '../layout.ts';
import type { ShopOfInteraction } from '../../services/oidc/interaction-shop.ts';
import { passkeyForm } from './passkey-pages.ts';
import { shopBanner } from './shop-banner.ts';
import { firstPasswordOffer } from './first-password-pages.ts';
import { errorSummary, field, notice } from '../forms.ts';
import type { FormState, PageContext } from '../page-context.ts';

/** A link that keeps where the person was going (a shop's sign-in in progress). */
function withReturnTo(path: string, returnTo: string | undefined): string {
  return returnTo ? `${path}?returnTo=${encodeURIComponent(returnTo)}` : path;
}

export function homePage(ctx: PageContext, flash?: string): string {
  return layout(
    ctx,
    ctx.t('home.title', { shop: ctx.shopName }),
    html`${notice(flash)}<p>${ctx.t('home.lead')}</p>
<p><a class="button" href="/sign-in">${ctx.t('nav.signIn')}</a> <a href="/register">${ctx.t('nav.register')}</a></p>`,
  );
}

export function messagePage(
  ctx: PageContext,
  title: string,
  text: string,
  link?: { href: string; label: string },
): string {
  return layout(ctx, title, html`<p>${text}</p>${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ''}`);
}

export function registerPage(ctx: PageContext, state: FormState = {}, shop: ShopOfInteraction | null = null): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('register.title'),
    html`${shopBanner(ctx, 'register.forShop', shop)}${errorSummary(state)}<form method="post" action="/register" novalidate>${csrfField(ctx)}
${field(ctx, { name: 'name', label: 'register.name', autocomplete: 'name', required: true, maxlength: 100 }, state)}
${field(ctx, { name: 'email', label: 'register.email', type: 'email', autocomplete: 'email', required: true, maxlength: 254 }, state)}
${field(ctx, { name: 'password', label: 'register.password', type: 'password', autocomplete: 'new-password', required: true, hint: t('register.passwordHint') }, state)}
<input type="hidden" name="returnTo" value="${state.values?.returnTo ?? ''}">
<button type="submit">${t('register.submit')}</button>
</form>
<p><a href="${withReturnTo('/sign-in', state.values?.returnTo)}">${t('nav.signIn')}</a></p>`,
  );
}

export function signInPage(
  ctx: PageContext,
  state: FormState = {},
  flash?: string,
  shop: ShopOfInteraction | null = null,
  { action = '/sign-in' }: { action?: string } = {},
): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('signIn.title'),
    html`${shopBanner(ctx, 'signIn.forShop', shop)}${notice(flash)}${errorSummary(state)}<form method="post" action="${action}" novalidate>${csrfField(ctx)}
${field(ctx, { name: 'email', label: 'signIn.email', type: 'email', autocomplete: 'username', required: true, maxlength: 254 }, state)}
${field(ctx, { name: 'password', label: 'signIn.password', type: 'password', autocomplete: 'current-password', required: true }, state)}
<input type="hidden" name="returnTo" value="${state.values?.returnTo ?? ''}">
<button type="submit">${t('signIn.submit')}</button>
</form>
${passkeyForm(ctx, {
  mode: 'sign-in',
  action: '/sign-in/passkey',
  options: '/sign-in/passkey/options',
  submit: 'passkeys.signIn',
  extra: html`<input type="hidden" name="email" value="" data-carry><input type="hidden" name="returnTo" value="${state.values?.returnTo ?? ''}">`,
})}
<p><a href="/forgot-password">${t('signIn.forgot')}</a></p>
${firstPasswordOffer(ctx, state)}
<p><a href="${withReturnTo('/register', state.values?.returnTo)}">${t('signIn.noAccount')}</a></p>`,
    { passkeys: true },
  );
}

export function reauthPage(ctx: PageContext, returnTo: string, state: FormState = {}): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('reauth.title'),
    html`<p>${t('reauth.body')}</p>${errorSummary(state)}<form method="post" action="/reauth" novalidate>${csrfField(ctx)}
<input type="hidden" name="returnTo" value="${returnTo}">
${field(ctx, { name: 'password', label: 'signIn.password', type: 'password', autocomplete: 'current-password', required: true }, state)}
<button type="submit">${t('reauth.submit')}</button>
</form>`,
  );
}

export function forgotPasswordPage(ctx: PageContext, state: FormState = {}): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('forgot.title'),
    html`<p>${t('forgot.body')}</p>${errorSummary(state)}<form method="post" action="/forgot-password" novalidate>${csrfField(ctx)}
${field(ctx, { name: 'email', label: 'signIn.email', type: 'email', autocomplete: 'email', required: true, maxlength: 254 }, state)}
<button type="submit">${t('forgot.submit')}</button>
</form>`,
  );
}

/** Shown for a GET of an emailed link: it explains, and only the button (a POST) acts. */
export function confirmLinkPage(
  ctx: PageContext,
  page: { title: string; body: string; action: string; token: string; submit: string },
  state: FormState = {},
  extraFields = html``,
): string {
  return layout(
    ctx,
    page.title,
    html`<p>${page.body}</p>${errorSummary(state)}<form method="post" action="${page.action}" novalidate>${csrfField(ctx)}
<input type="hidden" name="token" value="${page.token}">
${extraFields}
<button type="submit">${page.submit}</button>
</form>`,
  );
}

export function errorPage(ctx: PageContext, message: string): string {
  return layout(
    ctx,
    ctx.t('error.title'),
    html`<div class="alert" role="alert"><p>${message}</p></div><p><a href="/">${ctx.t('common.back')}</a></p>`,
  );
}
