import type { ChangeValue } from '../change-kinds.ts';
import { DomainError } from '../errors.ts';
import type { IncidentState } from '../incident/state.ts';
import type { ShopUndoAction } from './shop-changes.ts';

/**
 * Issue 25: an order the shop held for the owner's security is hers to decide: "This was mine: release
 * it" or "Cancel it". Support may decide the same on the case. The decision reaches the shop as a
 * follow-up undo request on the same item (the same event and API), and the shop answers it.
 */
export const ORDER_DECISIONS = ['release', 'cancel'] as const;
export type OrderDecision = (typeof ORDER_DECISIONS)[number];

export const DECISION_ACTION: Record<OrderDecision, ShopUndoAction> = {
  release: 'release-order',
  cancel: 'cancel-order',
};

export function isOrderDecision(value: unknown): value is OrderDecision {
  return (ORDER_DECISIONS as readonly unknown[]).includes(value);
}

/** Who is deciding: a party judged the owner, one who may be the intruder, or a member of support. */
export type Decider = 'owner' | 'newcomer' | 'staff';

/** An incident that has ended (closed, or decided against the reporter) takes no more decisions. */
const OVER: readonly IncidentState[] = ['closed', 'dismissed'];

/**
 * Whether this decider may decide this held order now. Only the owner and support decide: a newcomer
 * (someone who may be the intruder) could otherwise release the very order the intruder placed. Only a
 * hold the shop confirmed can be released or cancelled, and each hold takes one decision.
 */
export function assertMayDecide(input: {
  decider: Decider;
  incidentState: IncidentState;
  request: { action: string; answer: string | null; follows: string | null };
  alreadyDecided: boolean;
}): void {
  if (input.request.action !== 'hold-order' || input.request.follows !== null) throw new DomainError('NOT_FOUND');
  if (input.decider === 'newcomer') throw new DomainError('ORDER_NOT_YOURS');
  if (OVER.includes(input.incidentState)) throw new DomainError('INCIDENT_STATE');
  if (input.alreadyDecided) throw new DomainError('ORDER_ALREADY_DECIDED');
  if (input.request.answer !== 'held') throw new DomainError('ORDER_NOT_HELD');
}

/** An order as a page or a mail shows it: what was in it, how much, and where it was going. */
export interface OrderSummary {
  orderId: string;
  items: string | null;
  amount: string | null;
  currency: string | null;
  shipTo: string | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The order as the shop reported it (the log entry's `after`). */
export function orderSummary(orderId: string, reported: ChangeValue | null | undefined): OrderSummary {
  return {
    orderId,
    items: text(reported?.items),
    amount: text(reported?.amount),
    currency: text(reported?.currency),
    shipTo: text(reported?.ship_to),
  };
}

/** The orders a containment asked the shop to hold, from its applied plan (for the containment mail). */
export function ordersAskedToHold(
  steps: readonly { kind: string; outcome?: string; after: ChangeValue | null }[],
): OrderSummary[] {
  return steps
    .filter((step) => step.kind === 'shop-order-placed' && step.outcome === 'asked')
    .map((step) => orderSummary(text(step.after?.item_id) ?? '', step.after));
}

/** The fields of an undo request that say which hold it is and what followed it. */
export interface RequestLink {
  id: string;
  action: string;
  follows: string | null;
  change_id: string;
  item_id: string;
}

/** One order a containment asked the shop to hold, the decision that followed it (if any), and the order. */
export interface HeldOrder<R extends RequestLink> {
  hold: R;
  decision: R | null;
  order: OrderSummary;
}

/** An incident's hold requests, in their order, each with its decision and the order as the shop reported it. */
export function heldOrdersFrom<R extends RequestLink>(
  requests: readonly R[],
  steps: readonly { changeId: string; after: ChangeValue | null }[],
): HeldOrder<R>[] {
  const reported = new Map(steps.map((step) => [step.changeId, step.after]));
  return requests
    .filter((r) => r.action === 'hold-order' && r.follows === null)
    .map((hold) => ({
      hold,
      decision: requests.find((r) => r.follows === hold.id) ?? null,
      order: orderSummary(hold.item_id, reported.get(hold.change_id)),
    }));
}
