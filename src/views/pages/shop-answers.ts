import type { ShopAnswer, ShopItemType } from '../../core/shop/shop-changes.ts';
import type { ShopUndoRequestRow } from '../../services/shop-changes/undo-requests.ts';
import { html, type SafeHtml } from '../html.ts';
import { formatDateTime } from '../i18n/translate.ts';
import type { PageContext } from '../page-context.ts';

/** What the shop said of one thing it was asked to undo, or since when it has been silent. */
export function shopAnswerLine(ctx: PageContext, request: ShopUndoRequestRow): SafeHtml {
  const { t } = ctx;
  if (!request.answer)
    return html`<span class="shop-answer waiting" data-testid="shop-answer">${t('shopAnswer.waiting', { time: formatDateTime(ctx, request.requested_at) })}</span>`;
  const answer = request.answer as ShopAnswer;
  return html`<span class="shop-answer ${answer}" data-testid="shop-answer">${t(`shopAnswer.${answer}`)} (${formatDateTime(ctx, request.answered_at ?? request.requested_at)})${
    request.note ? html`: <q>${request.note}</q>` : ''
  }</span>`;
}

/** The shop's item as the owner knows it: "Order #1042". */
export function itemLabel(ctx: PageContext, request: Pick<ShopUndoRequestRow, 'item_type' | 'item_id'>): string {
  const type = request.item_type as ShopItemType;
  return ctx.t(`shopItem.${type}`, { id: request.item_id });
}

/** The answer for one plan step, if the shop was asked about that change. */
export function answerForStep(
  ctx: PageContext,
  requests: readonly ShopUndoRequestRow[],
  changeId: string,
): SafeHtml | '' {
  const request = requests.find((r) => r.change_id === changeId && r.follows === null);
  return request ? html`<br>${itemLabel(ctx, request)}: ${shopAnswerLine(ctx, request)}` : '';
}
