import { escape } from './escape.ts';
import type { ShopTranslator } from './i18n.ts';
import type Database from 'better-sqlite3';
import type { UndoAnswer } from '../../packages/client/src/index.ts';

/** One `undo-requested` event, as Mamori sends it: the request, what to do, the item, and where to answer. */
export interface UndoRequest {
  request_id: string;
  action: string;
  item: { type: string; id: string };
  answer_endpoint: string;
  /** A decision about a held order (`release-order`, `cancel-order`) names the hold it follows. */
  follows?: string;
}

type Outcome = { answer: UndoAnswer; note: string | null };

const refused = (note: string): Outcome => ({ answer: 'refused', note });

/**
 * What this shop does with each request Mamori sends after a containment: hold the intruder's order
 * until the owner decides, then release it (it was hers) or cancel it, as she chose; forget a card
 * saved at checkout. Only this customer's orders are touched, and an order that shipped is said to have.
 */
export function carryOutUndoRequest(db: Database.Database, sub: string, request: UndoRequest): Outcome {
  if (request.action === 'remove-payment-method') {
    db.prepare('DELETE FROM saved_cards WHERE sub = ?').run(sub);
    return { answer: 'done', note: null };
  }
  if (!['hold-order', 'release-order', 'cancel-order'].includes(request.action))
    return refused('This shop cannot do that; our support will contact you.');
  const orderId = Number(request.item.id);
  const order = db.prepare('SELECT status FROM orders WHERE rowid = ? AND sub = ?').get(orderId, sub) as
    { status: string } | undefined;
  if (!order) return refused('No such order of this customer.');
  const setStatus = (status: string) =>
    db.prepare('UPDATE orders SET status = ? WHERE rowid = ? AND sub = ?').run(status, orderId, sub);
  if (order.status === 'shipped') return { answer: 'already-shipped', note: null };
  switch (request.action) {
    case 'hold-order':
      if (order.status !== 'placed') return refused(`The order is already ${order.status}.`);
      setStatus('held');
      return { answer: 'held', note: null };
    case 'release-order':
      if (order.status !== 'held') return refused(`The order is ${order.status}, not held.`);
      setStatus('released');
      return { answer: 'released', note: 'It ships with the next collection.' };
    default:
      if (order.status === 'cancelled') return { answer: 'cancelled', note: null };
      setStatus('cancelled');
      return { answer: 'cancelled', note: 'Nothing will be charged for it.' };
  }
}

/** How an order's state reads on the customer's order list (an order just placed says nothing more). */
export function orderStatusNote(status: string, t: ShopTranslator): string {
  switch (status) {
    case 'held':
      return ` <strong>${escape(t('orders.held'))}</strong>`;
    case 'released':
    case 'cancelled':
      return ` <strong>${escape(t(`orders.${status}`))}</strong>`;
    case 'shipped':
      return ` ${escape(t('orders.shipped'))}`;
    default:
      return '';
  }
}
