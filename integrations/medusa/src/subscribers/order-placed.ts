import type { SubscriberArgs, SubscriberConfig } from '@medusajs/framework';
import type { ICustomerModuleService, Logger } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, Modules } from '@medusajs/framework/utils';
import { MAMORI_SUB_KEY } from '../lib/claims';
import { mamoriApi, type OrderReport } from '../lib/mamori-api';
import { mamoriSettings } from '../lib/settings';

interface PlacedOrder {
  id: string;
  display_id: number;
  customer_id: string | null;
  currency_code: string;
  total: number | string | { numeric?: number; value?: string };
  metadata: Record<string, unknown> | null;
  shipping_address?: {
    first_name?: string | null;
    last_name?: string | null;
    address_1?: string | null;
    address_2?: string | null;
    city?: string | null;
    province?: string | null;
    postal_code?: string | null;
    country_code?: string | null;
  } | null;
  items?: { title: string; quantity: number | string }[];
  payment_collections?: { payments?: { id: string; provider_id: string }[] }[];
}

const FIELDS = [
  'id',
  'display_id',
  'customer_id',
  'currency_code',
  'total',
  'metadata',
  'shipping_address.*',
  'items.title',
  'items.quantity',
  'payment_collections.payments.id',
  'payment_collections.payments.provider_id',
];

/** Medusa's totals may come as a BigNumber's raw form; Mamori takes a plain decimal in the major unit. */
function decimal(total: PlacedOrder['total']): string {
  const value = typeof total === 'object' && total ? (total.numeric ?? Number(total.value)) : Number(total);
  return String(Math.round(value * 100) / 100);
}

function report(order: PlacedOrder): OrderReport {
  const a = order.shipping_address ?? {};
  const payment = order.payment_collections?.[0]?.payments?.[0];
  const recipient = [a.first_name, a.last_name].filter(Boolean).join(' ');
  return {
    orderId: String(order.display_id),
    amount: { value: decimal(order.total), currency: order.currency_code.toUpperCase() },
    shipTo: {
      ...(recipient ? { recipient } : {}),
      line1: a.address_1 || '(no address)',
      ...(a.address_2 ? { line2: a.address_2 } : {}),
      ...(a.city ? { city: a.city } : {}),
      ...(a.province ? { region: a.province } : {}),
      ...(a.postal_code ? { postalCode: a.postal_code } : {}),
      country: (a.country_code || 'jp').toUpperCase(),
    },
    paymentMethod: { reference: payment?.id ?? 'none', display: payment?.provider_id ?? 'none' },
    items: (order.items ?? []).map((item) => ({ name: item.title, quantity: Number(item.quantity) })),
  };
}

/**
 * Each order a Mamori customer places is reported to Mamori's shop-changes API with the IP, browser and
 * sign-in (`sid`) checkout recorded, so an order placed by an intruder is announced to the owner and
 * can be held by a containment.
 */
export default async function orderPlaced({ event, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER);
  const query = container.resolve(ContainerRegistrationKeys.QUERY);
  const { data } = await query.graph({ entity: 'order', fields: FIELDS, filters: { id: event.data.id } });
  const order = data[0] as PlacedOrder | undefined;
  if (!order?.customer_id) return;
  const customer = await container
    .resolve<ICustomerModuleService>(Modules.CUSTOMER)
    .retrieveCustomer(order.customer_id, { select: ['id', 'metadata'] });
  const sub = customer.metadata?.[MAMORI_SUB_KEY];
  if (typeof sub !== 'string') return;
  const who = (order.metadata?.mamori_customer ?? {}) as { ip?: string; user_agent?: string; sid?: string };
  await mamoriApi(mamoriSettings())
    .reportOrder(sub, report(order), {
      ip: who.ip || '0.0.0.0',
      userAgent: who.user_agent || '',
      ...(who.sid ? { sid: who.sid } : {}),
    })
    .catch((error: unknown) => logger.warn(`mamori: order ${order.display_id} not reported (${String(error)})`));
}

export const config: SubscriberConfig = { event: 'order.placed' };
