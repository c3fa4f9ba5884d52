import type { ICustomerModuleService, IOrderModuleService, MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, Modules } from '@medusajs/framework/utils';
import { cancelOrderWorkflow } from '@medusajs/medusa/core-flows';
import type { UndoAnswer } from './mamori-api';
import { HOLD_KEY, holdOf, type OrderHold } from './order-hold';
import { customerIdOfSub } from './revocations';

export { HOLD_KEY, holdOf, type OrderHold };

/** One `undo-requested` event as Mamori sends it. */
export interface UndoRequest {
  request_id: string;
  action: string;
  item: { type: string; id: string };
  answer_endpoint: string;
  follows?: string;
}

/** The release request carried out last, so the same request arriving again (push and poll) is answered alike. */
const RELEASED_KEY = 'mamori_released';
const HOLD_REASON =
  'Held at the account owner’s request: Mamori contained the account, and this order was placed while someone else was signed in. Wait for the owner’s decision (release or cancel).';

interface OrderRow {
  id: string;
  display_id: number;
  customer_id: string | null;
  status: string;
  metadata: Record<string, unknown> | null;
  fulfillments?: { id: string; canceled_at: string | null }[];
}

export type Outcome = { answer: UndoAnswer; note?: string };

/** The order Mamori names (by the display id reported), only among this account's customer's orders. */
async function orderOf(container: MedusaContainer, sub: string, item: string): Promise<OrderRow | null> {
  const customerId = await customerIdOfSub(container, sub);
  if (!customerId || !/^\d{1,12}$/.test(item)) return null;
  const query = container.resolve(ContainerRegistrationKeys.QUERY);
  const { data } = await query.graph({
    entity: 'order',
    fields: ['id', 'display_id', 'customer_id', 'status', 'metadata', 'fulfillments.id', 'fulfillments.canceled_at'],
    filters: { display_id: Number(item), customer_id: customerId },
  });
  return (data[0] as OrderRow | undefined) ?? null;
}

async function setHold(container: MedusaContainer, order: OrderRow, hold: OrderHold | null, releasedBy?: string) {
  const orders = container.resolve<IOrderModuleService>(Modules.ORDER);
  const metadata = { ...order.metadata, [HOLD_KEY]: hold, ...(releasedBy ? { [RELEASED_KEY]: releasedBy } : {}) };
  await orders.updateOrders([{ id: order.id, metadata }]);
}

/**
 * What this store does with each request Mamori sends after a containment: hold the order until the
 * owner decides, then release it or cancel it as she chose. An order that left the warehouse is said to
 * have; anything else is refused with a note, for the shop's staff to handle.
 */
export async function carryOutUndoRequest(
  container: MedusaContainer,
  sub: string,
  request: UndoRequest,
): Promise<Outcome> {
  if (request.action === 'remove-address') return removeAddress(container, sub, request.item.id);
  if (!['hold-order', 'release-order', 'cancel-order'].includes(request.action))
    return { answer: 'refused', note: 'This store cannot do that by itself; its staff will contact you.' };
  const order = await orderOf(container, sub, request.item.id);
  if (!order) return { answer: 'refused', note: 'No such order of this customer.' };
  const hold = holdOf(order.metadata);
  if (order.status === 'canceled') return { answer: 'cancelled' };
  if ((order.fulfillments ?? []).some((f) => !f.canceled_at)) return { answer: 'already-shipped' };
  switch (request.action) {
    case 'hold-order':
      if (!hold)
        await setHold(container, order, {
          request_id: request.request_id,
          since: new Date().toISOString(),
          reason: HOLD_REASON,
        });
      return { answer: 'held' };
    case 'release-order':
      if (!hold)
        return order.metadata?.[RELEASED_KEY] === request.request_id
          ? { answer: 'released' }
          : { answer: 'refused', note: 'The order is not held.' };
      await setHold(container, order, null, request.request_id);
      return { answer: 'released', note: 'It ships with the next collection.' };
    default:
      await cancelOrderWorkflow(container).run({ input: { order_id: order.id } });
      // Cancelled, no longer waiting: off the held list and free of the checks.
      await setHold(container, order, null);
      return { answer: 'cancelled', note: 'Nothing will be charged for it.' };
  }
}

/** An address the intruder saved goes from the customer's address book (only this customer's). */
async function removeAddress(container: MedusaContainer, sub: string, addressId: string): Promise<Outcome> {
  const customerId = await customerIdOfSub(container, sub);
  const customers = container.resolve<ICustomerModuleService>(Modules.CUSTOMER);
  const [address] = customerId ? await customers.listCustomerAddresses({ id: addressId, customer_id: customerId }) : [];
  if (!address) return { answer: 'done', note: 'The address is no longer saved.' };
  await customers.deleteCustomerAddresses([address.id]);
  return { answer: 'done' };
}

/** The hold on an order, if fulfillment and capture must wait. */
export async function holdOnOrder(container: MedusaContainer, orderId: string): Promise<OrderHold | null> {
  const orders = container.resolve<IOrderModuleService>(Modules.ORDER);
  const order = await orders.retrieveOrder(orderId, { select: ['id', 'metadata'] }).catch(() => null);
  return holdOf(order?.metadata);
}
