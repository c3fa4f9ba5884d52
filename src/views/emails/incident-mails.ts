import type { IncidentMailModel, OriginModel } from '../../core/mail-messages.ts';
import type { OrderSummary } from '../../core/shop/held-orders.ts';
import { formatMoney } from '../../core/shop/shop-changes.ts';
import { originRows, rowsTable, rowsText } from './origin-rows.ts';
import { html } from '../html.ts';
import { formatDateTime, type DateStyle, type Translator } from '../i18n/translate.ts';
import { button, mailFrame, type MailContext, type RenderedMail } from './layout.ts';

export function countOfChanges(t: Translator, count: number): string {
  return t(count === 1 ? 'count.changes.one' : 'count.changes.other', { count });
}

/** One held order in a mail: "Order #1042 · Rice cooker · ¥50,000 → T. Yamada, Drop box, Chiyoda". */
function orderLine(t: Translator, when: DateStyle, order: OrderSummary): string {
  const amount = order.amount && order.currency ? formatMoney(when.locale, order.amount, order.currency) : null;
  const what = [t('shopItem.order', { id: order.orderId }), order.items, amount].filter(Boolean).join(' · ');
  return order.shipTo ? `${what} → ${order.shipTo}` : what;
}

export function incidentContainedMail(
  model: IncidentMailModel,
  t: Translator,
  ctx: MailContext,
  when: DateStyle,
): RenderedMail {
  const changes = countOfChanges(t, model.undone);
  const body = model.waitUntil
    ? t('mail.contained.body', { shop: ctx.shopName, changes, until: formatDateTime(when, model.waitUntil) })
    : t('mail.contained.bodyReview', { shop: ctx.shopName, changes });
  const orders = (model.heldOrders ?? []).map((order) => orderLine(t, when, order));
  const ordersText = orders.length > 0 ? ['', t('mail.contained.orders'), ...orders.map((line) => `- ${line}`)] : [];
  return mailFrame(t, ctx, {
    subject: t('mail.contained.subject', { shop: ctx.shopName }),
    text: [body, ...ordersText, '', `${t('mail.contained.action')}: ${model.statusLink}`],
    html: html`<p>${body}</p>${
      orders.length > 0
        ? html`<p>${t('mail.contained.orders')}</p><ul>${orders.map((line) => html`<li>${line}</li>`)}</ul>`
        : ''
    }${button(model.statusLink, t('mail.contained.action'))}`,
  });
}

export function objectionInviteMail(
  model: { objectLink: string; waitUntil: string; accountEmailMasked: string },
  t: Translator,
  ctx: MailContext,
  when: DateStyle,
): RenderedMail {
  const body = t('mail.objection.body', {
    shop: ctx.shopName,
    account: model.accountEmailMasked,
    until: formatDateTime(when, model.waitUntil),
  });
  return mailFrame(t, ctx, {
    subject: t('mail.objection.subject', { shop: ctx.shopName }),
    text: [body, '', `${t('mail.objection.action')}: ${model.objectLink}`],
    html: html`<p>${body}</p>${button(model.objectLink, t('mail.objection.action'))}`,
  });
}

export function incidentDisputedMail(t: Translator, ctx: MailContext): RenderedMail {
  const body = t('mail.disputed.body', { shop: ctx.shopName, email: ctx.supportEmail });
  return mailFrame(t, ctx, {
    subject: t('mail.disputed.subject', { shop: ctx.shopName }),
    text: [body],
    html: html`<p>${body}</p>`,
  });
}

export function recoveryOpenMail(model: { recoveryLink: string }, t: Translator, ctx: MailContext): RenderedMail {
  const body = t('mail.recovery.body');
  return mailFrame(t, ctx, {
    subject: t('mail.recovery.subject', { shop: ctx.shopName }),
    text: [body, '', `${t('mail.recovery.action')}: ${model.recoveryLink}`],
    html: html`<p>${body}</p>${button(model.recoveryLink, t('mail.recovery.action'))}`,
  });
}

/** Recovery done: told at the owner's address, with the way back to a person if it was not the owner. */
export function accountRecoveredMail(
  model: OriginModel & { statusLink: string },
  t: Translator,
  ctx: MailContext,
  when: DateStyle,
): RenderedMail {
  const body = t('mail.recovered.body', { shop: ctx.shopName });
  const rows = originRows(model, t, when);
  return mailFrame(t, ctx, {
    subject: t('mail.recovered.subject', { shop: ctx.shopName }),
    text: [body, '', ...rowsText(rows), '', `${t('mail.recovered.action')}: ${model.statusLink}`],
    html: html`<p>${body}</p>${rowsTable(rows)}${button(model.statusLink, t('mail.recovered.action'))}`,
  });
}
