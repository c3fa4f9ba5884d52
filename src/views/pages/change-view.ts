import { displayValue } from '../../core/change-display.ts';
import type { ChangeRecord, ChangeValue, ChangeKind } from '../../core/change-kinds.ts';
import { html, type SafeHtml } from '../html.ts';
import { formatDateTime, translateOr } from '../i18n/translate.ts';
import type { PageContext } from '../page-context.ts';
import { itemLabel } from './shop-answers.ts';
import { areaName } from '../i18n/area.ts';

export function changeTitle(ctx: PageContext, kind: string): string {
  return translateOr(ctx.t, `change.${kind}`, kind);
}

export function beforeAfter(
  ctx: PageContext,
  kind: ChangeKind,
  before: ChangeValue | null,
  after: ChangeValue | null,
): SafeHtml {
  if (kind === 'shop-undo-answered' && after && typeof after.item_type === 'string' && typeof after.answer === 'string')
    return html`<span class="after">${itemLabel(ctx, { item_type: after.item_type, item_id: String(after.item_id ?? '') })}: ${translateOr(ctx.t, `shopAnswer.${after.answer}`, after.answer)}${typeof after.note === 'string' ? html` <q>${after.note}</q>` : ''}</span>`;
  if (kind === 'held-order-decided' && after && (after.decision === 'release' || after.decision === 'cancel')) {
    const order = itemLabel(ctx, {
      item_type: String(after.item_type ?? 'order'),
      item_id: String(after.item_id ?? ''),
    });
    return html`<span class="after">${ctx.t(`change.held-order-decided.${after.decision}`, { order })}</span>`;
  }
  const b = displayValue(kind, before, 'owner', ctx.locale);
  const a = displayValue(kind, after, 'owner', ctx.locale);
  return html`${b ? html`<span class="before">${ctx.t('mail.notice.before')}: ${b}</span> ` : ''}${a ? html`<span class="after">${ctx.t('mail.notice.after')}: ${a}</span>` : ''}`;
}

/** Who acted, as the reader knows them: a shopper knows the shop and its support, never Mamori or a staff member's address. */
function actorText(ctx: PageContext, actor: ChangeRecord['actor'], audience: Audience): string {
  if (actor.type === 'customer')
    return `${actor.device} · ${actor.ip}${actor.area ? ` · ${areaName(ctx.locale, ctx.t, actor.area)}` : ''}`;
  if (audience === 'staff') return actor.device;
  return ctx.t(actor.type === 'staff' ? 'actor.support' : 'actor.shop', { shop: ctx.shopName });
}

export type Audience = 'customer' | 'staff';

/** One line of the account log as a person reads it: when, what, from where. */
export function changeRow(ctx: PageContext, record: ChangeRecord, audience: Audience = 'customer'): SafeHtml {
  const from = actorText(ctx, record.actor, audience);
  return html`<tr><td>${formatDateTime(ctx, record.occurredAt)}</td><td>${changeTitle(ctx, record.kind)}<br><small>${beforeAfter(ctx, record.kind, record.before, record.after)}</small></td><td>${from}</td></tr>`;
}

export function changeTable(
  ctx: PageContext,
  records: readonly ChangeRecord[],
  audience: Audience = 'customer',
): SafeHtml {
  return html`<table class="activity"><thead><tr><th scope="col">${ctx.t('activity.when')}</th><th scope="col">${ctx.t('activity.what')}</th><th scope="col">${ctx.t('activity.from')}</th></tr></thead>
<tbody>${records.map((r) => changeRow(ctx, r, audience))}</tbody></table>`;
}
