import type { ShopOfInteraction } from '../../services/oidc/interaction-shop.ts';
import { html } from '../html.ts';
import type { PageContext } from '../page-context.ts';

/**
 * Whose shop this is (issue 25): the shop an authorization in progress came from, with its logo and its
 * own support contact, beside the operator's name. The logo is decorative (the name is in the sentence),
 * so its text alternative is empty; the page's CSP allows exactly this one address.
 */
export function shopBanner(
  ctx: PageContext,
  key: 'signIn.forShop' | 'register.forShop' | 'shop.consent.lead',
  shop: ShopOfInteraction | null,
) {
  if (!shop) return '';
  const logo = shop.logoUri ? html`<img class="shop-logo" src="${shop.logoUri}" alt="" width="48" height="48">` : '';
  return html`<div class="for-shop">${logo}<p>${ctx.t(key, { client: shop.name, shop: ctx.shopName })}</p>${shopContact(ctx, shop)}</div>`;
}

function shopContact(ctx: PageContext, shop: ShopOfInteraction) {
  if (!shop.supportEmail && !shop.supportUrl) return '';
  const email = shop.supportEmail ? html`<a href="mailto:${shop.supportEmail}">${shop.supportEmail}</a>` : '';
  const page = shop.supportUrl
    ? html`<a href="${shop.supportUrl}" rel="noopener noreferrer">${ctx.t('shop.support.page')}</a>`
    : '';
  return html`<p class="hint">${ctx.t('shop.support.lead', { client: shop.name })} ${email}${email && page ? ' · ' : ''}${page}</p>`;
}
