import { errorSummary, field } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, layout } from '../layout.ts';
import type { FormState, PageContext } from '../page-context.ts';

/**
 * On the sign-in page (issue 26): the way in for a customer a shop brought without a password. After a
 * failed attempt it offers the link for the address just typed; the answer is the same for any address.
 */
export function firstPasswordOffer(ctx: PageContext, state: FormState): SafeHtml {
  const { t } = ctx;
  const email = state.error ? (state.values?.email ?? '') : '';
  const returnTo = state.values?.returnTo ?? '';
  const link = returnTo ? `/first-password?returnTo=${encodeURIComponent(returnTo)}` : '/first-password';
  if (!email)
    return html`<p class="hint">${t('firstPassword.offer')} <a href="${link}">${t('firstPassword.offerLink')}</a></p>`;
  return html`<form method="post" action="/first-password" class="hint">${csrfField(ctx)}
<input type="hidden" name="email" value="${email}"><input type="hidden" name="returnTo" value="${returnTo}">
<p>${t('firstPassword.offer')}</p><button type="submit" class="secondary">${t('firstPassword.offerLink')}</button></form>`;
}

export function firstPasswordRequestPage(ctx: PageContext, returnTo: string, state: FormState = {}): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('firstPassword.title'),
    html`<p>${t('firstPassword.lead', { shop: ctx.shopName })}</p>${errorSummary(state)}<form method="post" action="/first-password" novalidate>${csrfField(ctx)}
<input type="hidden" name="returnTo" value="${returnTo}">
${field(ctx, { name: 'email', label: 'signIn.email', type: 'email', autocomplete: 'email', required: true, maxlength: 254 }, state)}
<button type="submit">${t('firstPassword.submit')}</button>
</form>`,
  );
}

/** From the mailed link: a password, or a passkey instead. Only the buttons (POSTs) use the link. */
export function firstPasswordSetPage(ctx: PageContext, token: string, state: FormState = {}): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('firstPassword.set.title'),
    html`<p>${t('firstPassword.set.lead', { shop: ctx.shopName })}</p>${errorSummary(state)}<form method="post" action="/first-password/set" novalidate>${csrfField(ctx)}
<input type="hidden" name="token" value="${token}">
${field(ctx, { name: 'password', label: 'upgrade.password', type: 'password', autocomplete: 'new-password', required: true, hint: t('register.passwordHint') }, state)}
<button type="submit">${t('firstPassword.set.submit')}</button>
</form>
<form method="post" action="/first-password/passkey">${csrfField(ctx)}<input type="hidden" name="token" value="${token}">
<button type="submit" class="secondary">${t('firstPassword.set.passkey')}</button></form>`,
  );
}
