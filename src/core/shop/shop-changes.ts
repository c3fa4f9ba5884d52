import type { ChangeValue, ShopChangeKind } from '../change-kinds.ts';

/**
 * What a shop reports from its side (issue 15): what its customer did there, so it joins the account log,
 * is announced like any change, and falls into the undo plan. Mamori cannot undo a shop's order itself:
 * containment asks the shop, item by item, and shows the shop's answer.
 */
export interface ShipTo {
  recipient?: string;
  line1: string;
  line2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country: string;
}

export interface Money {
  value: string;
  currency: string;
}

/** One line of an order, as the customer chose it: "Rice cooker ×2". */
export interface OrderItem {
  name: string;
  quantity?: number;
}

export type ShopChange =
  | {
      type: 'order-placed';
      orderId: string;
      amount: Money;
      shipTo: ShipTo;
      paymentMethod: { reference: string; display?: string };
      /** What was ordered, so the owner recognises (or not) the order. */
      items?: OrderItem[];
    }
  | { type: 'gift-card-redeemed'; giftCardId: string; amount: Money }
  | { type: 'points-redeemed'; redemptionId: string; points: number }
  | { type: 'address-saved'; addressId: string; address: ShipTo }
  | { type: 'payment-method-saved'; paymentMethodId: string; display: string }
  | { type: 'subscription-started'; subscriptionId: string; plan: string };

export type ShopChangeType = ShopChange['type'];

/** What the owner's report asks of the shop for each kind, and what the item is called at the shop. */
export const SHOP_UNDO_ACTIONS = [
  'hold-order',
  // Follow-ups to a held order (issue 25): the owner or support decided what becomes of it.
  'release-order',
  'cancel-order',
  'reverse-redemption',
  'remove-address',
  'remove-payment-method',
  'cancel-subscription',
] as const;
export type ShopUndoAction = (typeof SHOP_UNDO_ACTIONS)[number];
export const SHOP_ITEM_TYPES = ['order', 'gift-card', 'points', 'address', 'payment-method', 'subscription'] as const;
export type ShopItemType = (typeof SHOP_ITEM_TYPES)[number];

/**
 * A shop's answer to one request; `already-shipped` and `refused` mean the owner must act with the shop.
 * `released`: a held order the owner said was hers goes on its way.
 */
export const SHOP_ANSWERS = ['held', 'released', 'cancelled', 'done', 'already-shipped', 'refused'] as const;
export type ShopAnswer = (typeof SHOP_ANSWERS)[number];

const KIND_OF: Record<ShopChangeType, ShopChangeKind> = {
  'order-placed': 'shop-order-placed',
  'gift-card-redeemed': 'shop-gift-card-redeemed',
  'points-redeemed': 'shop-points-redeemed',
  'address-saved': 'shop-address-saved',
  'payment-method-saved': 'shop-payment-method-saved',
  'subscription-started': 'shop-subscription-started',
};

export const SHOP_UNDO: Record<ShopChangeKind, { action: ShopUndoAction; itemType: ShopItemType }> = {
  'shop-order-placed': { action: 'hold-order', itemType: 'order' },
  'shop-gift-card-redeemed': { action: 'reverse-redemption', itemType: 'gift-card' },
  'shop-points-redeemed': { action: 'reverse-redemption', itemType: 'points' },
  'shop-address-saved': { action: 'remove-address', itemType: 'address' },
  'shop-payment-method-saved': { action: 'remove-payment-method', itemType: 'payment-method' },
  'shop-subscription-started': { action: 'cancel-subscription', itemType: 'subscription' },
};

export function itemIdOf(change: ShopChange): string {
  switch (change.type) {
    case 'order-placed':
      return change.orderId;
    case 'gift-card-redeemed':
      return change.giftCardId;
    case 'points-redeemed':
      return change.redemptionId;
    case 'address-saved':
      return change.addressId;
    case 'payment-method-saved':
      return change.paymentMethodId;
    case 'subscription-started':
      return change.subscriptionId;
  }
}

/** One line, as a label shows an address: recipient, lines, city, region, postal code, country. */
export function addressLine(address: ShipTo): string {
  return [
    address.recipient,
    address.line1,
    address.line2,
    address.city,
    address.region,
    address.postalCode,
    address.country,
  ]
    .filter((part): part is string => Boolean(part && part.trim()))
    .join(', ');
}

/**
 * Two spellings of one place compare equal: width-folded (NFKC, so ９ is 9), case-folded, without spaces,
 * punctuation or the recipient's name. Only the place is compared: who it is addressed to can be anyone.
 */
export function placeKey(parts: readonly (string | null | undefined)[]): string {
  return parts
    .filter((part): part is string => Boolean(part))
    .join('')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

export function shipToKey(address: Omit<ShipTo, 'recipient'>): string {
  return placeKey([address.line1, address.line2, address.city, address.region, address.postalCode, address.country]);
}

/** The log entry a report becomes: the subject names the shop and its item, so a repeated report is found. */
export function shopChangeEntry(
  change: ShopChange,
  shop: { clientId: string; name: string },
): { kind: ShopChangeKind; subjectId: string; after: ChangeValue } {
  const itemId = itemIdOf(change);
  const common = { client_id: shop.clientId, shop: shop.name, item_id: itemId };
  const entry = (after: ChangeValue) => ({
    kind: KIND_OF[change.type],
    subjectId: `${shop.clientId}:${itemId}`,
    after,
  });
  switch (change.type) {
    case 'order-placed':
      return entry({
        ...common,
        amount: change.amount.value,
        currency: change.amount.currency,
        ship_to: addressLine(change.shipTo),
        ship_to_key: shipToKey(change.shipTo),
        payment: change.paymentMethod.display ?? change.paymentMethod.reference,
        ...(change.items?.length ? { items: itemsLine(change.items) } : {}),
      });
    case 'gift-card-redeemed':
      return entry({ ...common, amount: change.amount.value, currency: change.amount.currency });
    case 'points-redeemed':
      return entry({ ...common, points: change.points });
    case 'address-saved':
      return entry({ ...common, ship_to: addressLine(change.address), ship_to_key: shipToKey(change.address) });
    case 'payment-method-saved':
      return entry({ ...common, payment: change.display });
    case 'subscription-started':
      return entry({ ...common, plan: change.plan });
  }
}

/**
 * Which shop changes are announced to the owner with "This wasn't me". Saving an address, a card or a
 * subscription always is, like the same change made at Mamori. An order is when it goes to a place the
 * account has never used from a browser new to it; spending gift cards or points, from a new browser.
 */
export function announcesShopChange(
  type: ShopChangeType,
  facts: { placeIsNew: boolean; browserIsNew: boolean },
): boolean {
  switch (type) {
    case 'order-placed':
      return facts.placeIsNew && facts.browserIsNew;
    case 'gift-card-redeemed':
    case 'points-redeemed':
      return facts.browserIsNew;
    case 'address-saved':
    case 'payment-method-saved':
    case 'subscription-started':
      return true;
  }
}

/** An order's lines in one string, as the log keeps them: "Rice cooker ×2, Tea towel". */
export function itemsLine(items: readonly OrderItem[]): string {
  return items
    .map((item) => (item.quantity && item.quantity > 1 ? `${item.name} ×${item.quantity}` : item.name))
    .join(', ');
}

/**
 * An amount as the reader's locale writes it in that currency: ¥50,000 (ja: ￥50,000), $12.50. The value
 * stays a decimal string up to here, so no float ever rounds a price; Intl only places the separators.
 */
export function formatMoney(locale: string, value: string, currency: string): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    const fraction = (value.split('.')[1] ?? '').replace(/0+$/, '');
    // A value finer than the currency's own unit is shown as sent, never rounded away.
    if (fraction.length > (format.resolvedOptions().maximumFractionDigits ?? 0)) return `${currency} ${value}`;
    return format.format(Number(value));
  } catch {
    return `${currency} ${value}`;
  }
}

/** How a shop change reads in a notice or on a page: the item, what was in it, its amount, and where it goes. */
export function shopChangeSummary(value: ChangeValue, locale = 'en'): string {
  const what: string[] = [];
  if (typeof value.item_id === 'string') what.push(`#${value.item_id}`);
  if (typeof value.items === 'string') what.push(value.items);
  if (typeof value.amount === 'string' && typeof value.currency === 'string')
    what.push(formatMoney(locale, value.amount, value.currency));
  if (typeof value.points === 'number') what.push(`${value.points} pt`);
  if (typeof value.plan === 'string') what.push(value.plan);
  const to = typeof value.ship_to === 'string' ? ` → ${value.ship_to}` : '';
  const paid = typeof value.payment === 'string' ? ` · ${value.payment}` : '';
  return `${what.join(' · ')}${to}${paid}`;
}
