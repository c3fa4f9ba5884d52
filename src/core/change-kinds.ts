/**
 * What can change on an account, as written to its append-only log. Customer-visible changes come
 * first; the rest are written by the incident flow and support.
 */
/** What a shop reports its customer did there (issue 15): orders, redemptions, what checkout saved. */
export const SHOP_CHANGE_KINDS = [
  'shop-order-placed',
  'shop-gift-card-redeemed',
  'shop-points-redeemed',
  'shop-address-saved',
  'shop-payment-method-saved',
  'shop-subscription-started',
] as const;

export const CUSTOMER_CHANGE_KINDS = [
  'email-changed',
  'email-change-requested',
  'password-changed',
  'password-reset',
  'phone-changed',
  'name-changed',
  'address-added',
  'address-removed',
  'payment-method-added',
  'payment-method-removed',
  'subscription-changed',
  'new-device-sign-in',
  'second-factor-added',
  'second-factor-removed',
  'recovery-code-used',
  'recovery-codes-renewed',
  'password-disabled-after-failures',
  ...SHOP_CHANGE_KINDS,
] as const;

export const INCIDENT_CHANGE_KINDS = [
  'incident-opened',
  'account-contained',
  'change-undone',
  'incident-disputed',
  'incident-claimed',
  'recovery-opened',
  'account-recovered',
  'checklist-item-done',
  'support-message',
  'callback-requested',
  'change-held',
  'held-change-cancelled',
  'shop-undo-answered',
  'held-order-decided',
  'ownership-proved',
  'ownership-proof-refused',
  'objection-after-proof',
] as const;

/** What staff do on a case; each is a change record with the staff member as actor (STANDARDS I4). */
export const STAFF_CHANGE_KINDS = [
  'support-reply',
  'call-logged',
  'dispute-resolved',
  'wait-changed',
  'case-assigned',
  'case-closed',
] as const;

/**
 * The first entry of an imported account's log (issue 26): what the shop brought, written by the system.
 * It is the owner's baseline: the compromise point is never before it, and the undo plan never undoes it.
 */
export const IMPORT_CHANGE_KINDS = ['imported'] as const;

export type ShopChangeKind = (typeof SHOP_CHANGE_KINDS)[number];
export type CustomerChangeKind = (typeof CUSTOMER_CHANGE_KINDS)[number];
export type IncidentChangeKind = (typeof INCIDENT_CHANGE_KINDS)[number];
export type StaffChangeKind = (typeof STAFF_CHANGE_KINDS)[number];
export type ImportChangeKind = (typeof IMPORT_CHANGE_KINDS)[number];
export type ChangeKind = CustomerChangeKind | IncidentChangeKind | StaffChangeKind | ImportChangeKind;

export type ChangeValue = Record<string, string | number | null>;

export interface ChangeActor {
  type: 'customer' | 'staff' | 'system';
  sessionId: string | null;
  deviceId: string | null;
  device: string;
  ip: string;
  area: string | null;
}

export interface ChangeRecord {
  id: string;
  accountId: string;
  seq: number;
  kind: ChangeKind;
  subjectId: string | null;
  before: ChangeValue | null;
  after: ChangeValue | null;
  actor: ChangeActor;
  occurredAt: string;
}

export function isShopChange(kind: string): kind is ShopChangeKind {
  return (SHOP_CHANGE_KINDS as readonly string[]).includes(kind);
}

export function isCustomerChange(kind: string): kind is CustomerChangeKind {
  return (CUSTOMER_CHANGE_KINDS as readonly string[]).includes(kind);
}
