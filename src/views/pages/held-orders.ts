import type { HeldOrder } from '../../services/shop-changes/held-orders.ts';
import { formatMoney } from '../../core/shop/shop-changes.ts';
import type { OrderDecision } from '../../core/shop/held-orders.ts';
import { html, type SafeHtml } from '../html.ts';
import { formatDateTime } from '../i18n/translate.ts';
import { csrfField } from '../layout.ts';
import type { PageContext } from '../page-context.ts';
import { itemLabel, shopAnswerLine } from './shop-answers.ts';

/** Where a decision is posted from this page, and what else its form carries (the incident link's token). */
export interface DecisionForms {
  action: (holdId: string, decision: OrderDecision) => string;
  hidden?: SafeHtml;
}

function decisionButtons(ctx: PageContext, held: HeldOrder, forms: DecisionForms, headingId: string): SafeHtml {
  const button = (decision: OrderDecision, cls: string) =>
    html`<form method="post" action="${forms.action(held.hold.id, decision)}" class="inline">${csrfField(ctx)}${forms.hidden ?? ''}<button type="submit" class="${cls}" aria-describedby="${headingId}">${ctx.t(`orders.${decision}`)}</button></form>`;
  return html`<div class="decide">${button('release', 'secondary')}${button('cancel', 'danger')}</div>`;
}

function decisionLine(ctx: PageContext, decision: NonNullable<HeldOrder['decision']>): SafeHtml {
  const asked = decision.action === 'release-order' ? 'orders.asked.release' : 'orders.asked.cancel';
  return html`<p>${ctx.t(asked, { time: formatDateTime(ctx, decision.requested_at) })}<br>${shopAnswerLine(ctx, decision)}</p>`;
}

/** One held order: what it was, where it was going, what the shop did, and the owner's two choices. */
function heldOrderCard(ctx: PageContext, held: HeldOrder, forms: DecisionForms | null, level: 2 | 3): SafeHtml {
  const { t } = ctx;
  const { order, hold, decision } = held;
  const headingId = `h-order-${hold.id}`;
  const amount = order.amount && order.currency ? formatMoney(ctx.locale, order.amount, order.currency) : null;
  const mayDecide = forms && !decision && hold.answer === 'held';
  const title = itemLabel(ctx, hold);
  return html`<li class="held-order" data-testid="held-order" data-order="${order.orderId}">${
    level === 2 ? html`<h3 id="${headingId}">${title}</h3>` : html`<h4 id="${headingId}">${title}</h4>`
  }
<dl class="change"><dt>${t('orders.items')}</dt><dd>${order.items ?? t('orders.itemsUnknown')}</dd>${
    amount ? html`<dt>${t('orders.amount')}</dt><dd>${amount}</dd>` : ''
  }${order.shipTo ? html`<dt>${t('orders.shipTo')}</dt><dd>${order.shipTo}</dd>` : ''}
<dt>${t('orders.shop')}</dt><dd>${shopAnswerLine(ctx, hold)}</dd></dl>${decision ? decisionLine(ctx, decision) : ''}${
    mayDecide ? decisionButtons(ctx, held, forms, headingId) : ''
  }</li>`;
}

/**
 * The orders the shop was asked to hold, on the incident page, the checklist and the staff case. `forms`
 * null: shown without buttons (nobody here may decide). `level`: the heading level the section opens with.
 */
export function heldOrdersSection(
  ctx: PageContext,
  orders: readonly HeldOrder[],
  forms: DecisionForms | null,
  options: { lead?: 'orders.lead' | 'orders.staffLead'; level?: 2 | 3; id?: string } = {},
): SafeHtml | '' {
  if (orders.length === 0) return '';
  const { t } = ctx;
  const level = options.level ?? 2;
  const id = `h-held-orders${options.id ? `-${options.id}` : ''}`;
  const title = t('orders.title');
  return html`<section class="held-orders" aria-labelledby="${id}">${
    level === 2 ? html`<h2 id="${id}">${title}</h2>` : html`<h3 id="${id}">${title}</h3>`
  }${forms ? html`<p>${t(options.lead ?? 'orders.lead')}</p>` : ''}<ul class="held-orders">${orders.map((held) =>
    heldOrderCard(ctx, held, forms, level),
  )}</ul></section>`;
}
