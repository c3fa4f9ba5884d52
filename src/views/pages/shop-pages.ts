import type { CustomerApiScope } from '../../core/oidc/api-scopes.ts';
import type { ShopOfInteraction } from '../../services/oidc/interaction-shop.ts';
import { html } from '../html.ts';
import { shopBanner } from './shop-banner.ts';
import { csrfField, layout } from '../layout.ts';
import type { MessageKey } from '../i18n/translate.ts';
import type { PageContext } from '../page-context.ts';

/** Every scope a customer can grant a shop, in a shopper's words (issue 24 §5). */
const SCOPE_LABELS: Record<string, MessageKey> = {
  openid: 'shop.consent.scope.openid',
  email: 'shop.consent.scope.email',
  profile: 'shop.consent.scope.profile',
  offline_access: 'shop.consent.scope.offline_access',
  'account:read': 'shop.consent.scope.account_read',
} satisfies Record<CustomerApiScope, MessageKey> & Record<string, MessageKey>;

/** Asked of a shop that is not the store's own before it learns who the customer is. */
export function consentPage(
  ctx: PageContext,
  view: { uid: string; shop: ShopOfInteraction; scopes: string[]; email: string },
): string {
  const { t } = ctx;
  // A scope without words would still be granted: it is shown by its name rather than left out.
  const items = view.scopes.map(
    (s) => html`<li>${SCOPE_LABELS[s] ? t(SCOPE_LABELS[s]) : html`<code>${s}</code>`}</li>`,
  );
  const action = `/interaction/${encodeURIComponent(view.uid)}/consent`;
  return layout(
    ctx,
    t('shop.consent.title', { client: view.shop.name }),
    html`${shopBanner(ctx, 'shop.consent.lead', view.shop)}
<ul>${items}</ul>
<p class="hint">${t('shop.consent.signedInAs', { email: view.email })}</p>
<form method="post" action="${action}">${csrfField(ctx)}
<button type="submit" name="decision" value="allow">${t('shop.consent.allow')}</button>
<button type="submit" name="decision" value="deny" class="secondary">${t('shop.consent.deny')}</button>
</form>`,
  );
}

/** RP-initiated logout's confirmation (the provider's form fields, Mamori's page). */
export function shopLogoutPage(ctx: PageContext, form: { action: string; xsrf: string }): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('shop.logout.title'),
    html`<p>${t('shop.logout.lead', { shop: ctx.shopName })}</p>
<form method="post" action="${form.action}"><input type="hidden" name="xsrf" value="${form.xsrf}">
<button type="submit" name="logout" value="yes">${t('shop.logout.confirm')}</button>
<button type="submit" class="secondary">${t('shop.logout.stay')}</button>
</form>`,
  );
}

export function shopLogoutDonePage(ctx: PageContext): string {
  return layout(ctx, ctx.t('shop.logout.done.title'), html`<p>${ctx.t('shop.logout.done.body')}</p>`);
}

export function shopErrorPage(ctx: PageContext, message: string): string {
  return layout(ctx, ctx.t('shop.error.title'), html`<div class="alert" role="alert"><p>${message}</p></div>`);
}

/** Between Mamori's sign-in and the shop: the browser moves on by itself, or by the link. */
export function continuePage(ctx: PageContext, returnTo: string): string {
  return layout(
    ctx,
    ctx.t('shop.continue.title'),
    html`<p><a href="${returnTo}" data-testid="continue-to-shop">${ctx.t('shop.continue.link')}</a></p>`,
    { refreshTo: returnTo },
  );
}
