import type { PendingChecklist } from '../../services/incidents/lifecycle.ts';
import { passkeyChecklistItem } from './proof-pages.ts';
import { CARD_BRANDS } from '../../core/payment-card.ts';
import { formatDateTime } from '../i18n/translate.ts';
import type { Profile } from '../../services/account/profile.ts';
import type { DelayedChangeView } from '../../services/delayed-changes/pending.ts';
import { html } from '../html.ts';
import { csrfField, layout } from '../layout.ts';
import { errorSummary, field, notice } from '../forms.ts';
import type { FormState, PageContext } from '../page-context.ts';
import { itemLabel, shopAnswerLine } from './shop-answers.ts';
import { heldOrdersSection } from './held-orders.ts';

export type AccountForm = 'name' | 'phone' | 'email' | 'password' | 'address' | 'payment';

const INTERVALS = ['weekly', 'monthly', 'yearly'] as const;
const STATUSES = ['active', 'paused', 'cancelled'] as const;

/** The profile page: each section is its own small form, so a mistake in one loses nothing in the others. */

function checklistSection(ctx: PageContext, checklist: PendingChecklist) {
  const { t } = ctx;
  return html`<section class="checklist" aria-labelledby="h-checklist"><h2 id="h-checklist">${t('checklist.title')}</h2><p>${t('checklist.lead')}</p>
<ul class="items">${passkeyChecklistItem(ctx, checklist.offerPasskey)}${checklist.items.map(
    (entry) =>
      html`<li><span>${t(`checklist.${entry.item}`)}${
        entry.item === 'review-orders' && otherRequests(checklist).length > 0
          ? html`<ul class="shop-answers">${otherRequests(checklist).map(
              (request) => html`<li>${itemLabel(ctx, request)}: ${shopAnswerLine(ctx, request)}</li>`,
            )}</ul>`
          : ''
      }</span>${
        entry.doneAt
          ? html`<span class="tag">${t('checklist.doneAt', { time: formatDateTime(ctx, entry.doneAt) })}</span>`
          : html`<form method="post" action="/account/checklist/${checklist.incidentId}/${entry.item}" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${t('checklist.done')}</button></form>`
      }</li>`,
  )}</ul></section>${heldOrdersSection(ctx, checklist.heldOrders, {
    action: (holdId, decision) => `/account/orders/${holdId}/${decision}`,
  })}`;
}

/** What the shops were asked besides holding orders (a card, an address); held orders have their own section. */
const otherRequests = (checklist: PendingChecklist) =>
  checklist.shopRequests.filter((request) => request.action !== 'hold-order' && request.follows === null);

function heldSection(ctx: PageContext, held: DelayedChangeView[]) {
  const { t } = ctx;
  return html`<section class="checklist" aria-labelledby="h-held" data-testid="held-changes"><h2 id="h-held">${t('held.title')}</h2><p>${t('held.lead')}</p>
<ul class="items">${held.map(
    (
      h,
    ) => html`<li><span>${t(`held.kind.${h.kind}`)}${h.detail ? html`: ${h.detail}` : ''} · ${t('held.until', { when: formatDateTime(ctx, h.applyAt) })}</span>
<form method="post" action="/account/held/${h.id}/cancel" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${t('held.cancel')}</button></form></li>`,
  )}</ul></section>`;
}

export function accountPage(
  ctx: PageContext,
  profile: Profile,
  opts: {
    flash?: string;
    form?: AccountForm;
    state?: FormState;
    checklist?: PendingChecklist;
    held?: DelayedChangeView[];
  } = {},
): string {
  const { t } = ctx;
  const { account } = profile;
  const stateFor = (form: AccountForm): FormState => (opts.form === form ? (opts.state ?? {}) : {});
  const section = (form: AccountForm, title: string, content: ReturnType<typeof html>) =>
    html`<section aria-labelledby="h-${form}"><h2 id="h-${form}">${title}</h2>${opts.form === form ? errorSummary(opts.state ?? {}) : ''}${content}</section>`;

  return layout(
    ctx,
    t('account.title'),
    html`${notice(opts.flash)}${opts.checklist ? checklistSection(ctx, opts.checklist) : ''}${opts.held?.length ? heldSection(ctx, opts.held) : ''}${
      account.irreversible_hold_until && account.irreversible_hold_until > ctx.now
        ? html`<p class="notice" data-testid="irreversible-hold">${t('held.irreversible', { when: formatDateTime(ctx, account.irreversible_hold_until) })}</p>`
        : ''
    }
<p><a href="/account/activity">${t('nav.activity')}</a> · <a href="/account/two-step">${t('twoStep.title')}</a> · <a href="/account/passkeys">${t('passkeys.title')}</a></p>
${section(
  'name',
  t('account.profile'),
  html`<dl><dt>${t('account.email')}</dt><dd data-testid="account-email">${account.email}</dd></dl>
<form method="post" action="/account/name" novalidate>${csrfField(ctx)}
${field(ctx, { name: 'name', label: 'account.name', autocomplete: 'name', required: true, maxlength: 100, value: opts.form === 'name' ? undefined : account.name }, stateFor('name'))}
<button type="submit">${t('common.save')}</button></form>
<form method="post" action="/account/phone" novalidate>${csrfField(ctx)}
${field(ctx, { name: 'phone', label: 'account.phone', type: 'tel', autocomplete: 'tel', maxlength: 30, hint: t('account.phoneHint'), value: opts.form === 'phone' ? undefined : (account.phone ?? '') }, stateFor('phone'))}
<button type="submit">${t('common.save')}</button></form>`,
)}
${section(
  'email',
  t('account.changeEmail'),
  html`<form method="post" action="/account/email" novalidate>${csrfField(ctx)}
${field(ctx, { name: 'newEmail', label: 'account.newEmail', type: 'email', autocomplete: 'email', required: true, maxlength: 254 }, stateFor('email'))}
${field(ctx, { name: 'currentPassword', idPrefix: 'email', label: 'account.currentPassword', type: 'password', autocomplete: 'current-password', required: true }, stateFor('email'))}
<button type="submit">${t('account.changeEmail')}</button></form>`,
)}
${section(
  'password',
  t('account.changePassword'),
  html`<form method="post" action="/account/password" novalidate>${csrfField(ctx)}
${field(ctx, { name: 'currentPassword', idPrefix: 'password', label: 'account.currentPassword', type: 'password', autocomplete: 'current-password', required: true }, stateFor('password'))}
${field(ctx, { name: 'newPassword', label: 'account.newPassword', type: 'password', autocomplete: 'new-password', required: true, hint: t('register.passwordHint') }, stateFor('password'))}
<label class="check"><input type="checkbox" name="signOutOthers" value="yes" checked> ${t('account.signOutOthers')}</label>
<button type="submit">${t('account.changePassword')}</button></form>`,
)}
${section(
  'address',
  t('account.addresses'),
  html`${profile.addresses.length === 0 ? html`<p>${t('common.none')}</p>` : ''}
<ul class="items">${profile.addresses.map(
    (
      a,
    ) => html`<li><span>${a.recipient}<br>〒${a.postal_code} ${a.region} ${a.city} ${a.line1} ${a.line2 ?? ''} (${a.country})</span>
<form method="post" action="/account/addresses/${a.id}/remove" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${t('common.remove')}</button></form></li>`,
  )}</ul>
<details${opts.form === 'address' ? html` open` : ''}><summary>${t('account.addAddress')}</summary>
<form method="post" action="/account/addresses" novalidate>${csrfField(ctx)}
${field(ctx, { name: 'recipient', label: 'address.recipient', autocomplete: 'shipping name', required: true, maxlength: 100 }, stateFor('address'))}
${field(ctx, { name: 'postalCode', label: 'address.postalCode', autocomplete: 'shipping postal-code', required: true, maxlength: 16 }, stateFor('address'))}
${field(ctx, { name: 'region', label: 'address.region', autocomplete: 'shipping address-level1', required: true, maxlength: 100 }, stateFor('address'))}
${field(ctx, { name: 'city', label: 'address.city', autocomplete: 'shipping address-level2', required: true, maxlength: 100 }, stateFor('address'))}
${field(ctx, { name: 'line1', label: 'address.line1', autocomplete: 'shipping address-line1', required: true, maxlength: 200 }, stateFor('address'))}
${field(ctx, { name: 'line2', label: 'address.line2', autocomplete: 'shipping address-line2', maxlength: 200 }, stateFor('address'))}
${field(ctx, { name: 'country', label: 'address.country', autocomplete: 'shipping country', required: true, maxlength: 2, value: opts.form === 'address' ? undefined : 'JP' }, stateFor('address'))}
<button type="submit">${t('account.addAddress')}</button></form></details>`,
)}
${section(
  'payment',
  t('account.payment'),
  html`<p class="hint">${t('account.paymentHint')}</p>
${profile.paymentMethods.length === 0 ? html`<p>${t('common.none')}</p>` : ''}
<ul class="items">${profile.paymentMethods.map(
    (
      p,
    ) => html`<li><span>${p.brand.toUpperCase()} •••• ${p.last4} · ${t('payment.expires', { month: String(p.exp_month).padStart(2, '0'), year: p.exp_year })}</span>
<form method="post" action="/account/payment-methods/${p.id}/remove" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${t('common.remove')}</button></form></li>`,
  )}</ul>
<details${opts.form === 'payment' ? html` open` : ''}><summary>${t('account.addPayment')}</summary>
<form method="post" action="/account/payment-methods" novalidate>${csrfField(ctx)}
${field(ctx, { name: 'processorToken', label: 'payment.token', required: true, maxlength: 128 }, stateFor('payment'))}
<div class="field"><label for="f-brand">${t('payment.brand')}</label><select id="f-brand" name="brand">${CARD_BRANDS.map((b) => html`<option value="${b}">${b.toUpperCase()}</option>`)}</select></div>
${field(ctx, { name: 'last4', label: 'payment.last4', required: true, maxlength: 4 }, stateFor('payment'))}
${field(ctx, { name: 'expMonth', label: 'payment.expMonth', type: 'number', required: true, maxlength: 2 }, stateFor('payment'))}
${field(ctx, { name: 'expYear', label: 'payment.expYear', type: 'number', required: true, maxlength: 4 }, stateFor('payment'))}
<button type="submit">${t('account.addPayment')}</button></form></details>`,
)}
<section aria-labelledby="h-subscriptions"><h2 id="h-subscriptions">${t('account.subscriptions')}</h2>
${profile.subscriptions.length === 0 ? html`<p>${t('common.none')}</p>` : ''}
<ul class="items">${profile.subscriptions.map(
      (s) => html`<li><form method="post" action="/account/subscriptions/${s.id}" class="subscription">${csrfField(ctx)}
<span class="plan">${s.plan}</span>
<label>${t('subscription.interval')} <select name="interval">${INTERVALS.map((i) => html`<option value="${i}"${s.interval === i ? html` selected` : ''}>${t(`interval.${i}`)}</option>`)}</select></label>
<label>${t('subscription.status')} <select name="status">${STATUSES.map((st) => html`<option value="${st}"${s.status === st ? html` selected` : ''}>${t(`status.${st}`)}</option>`)}</select></label>
<button type="submit">${t('common.save')}</button></form></li>`,
    )}</ul></section>`,
  );
}
