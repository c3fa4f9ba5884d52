import { containsCardNumber, isExpired, type CardBrand } from '../core/payment-card.ts';
import { maskPhone } from '../core/email-address.ts';
import { DomainError } from '../core/errors.ts';
import { findAccountById, updateAccount, type AccountRow } from '../store/accounts.ts';
import {
  findSubscription,
  insertAddress,
  insertPaymentMethod,
  listAddresses,
  listPaymentMethods,
  listSubscriptions,
  removeAddress,
  removePaymentMethod,
  updateSubscription,
  type AddressRow,
  type PaymentMethodRow,
  type SubscriptionRow,
} from '../store/profile.ts';
import type { Executor } from '../store/database.ts';
import type { RequestOrigin, ServiceDeps } from './deps.ts';
import { queueSecurityNotice } from './security-notice.ts';
import { assertPrivileged, type ActiveSession } from './sessions.ts';

export interface Profile {
  account: AccountRow;
  addresses: AddressRow[];
  paymentMethods: PaymentMethodRow[];
  subscriptions: SubscriptionRow[];
}

export async function requireAccount(db: Executor, accountId: string): Promise<AccountRow> {
  const account = await findAccountById(db, accountId);
  if (!account) throw new DomainError('UNAUTHENTICATED');
  return account;
}

export async function getProfile(deps: ServiceDeps, session: ActiveSession): Promise<Profile> {
  const [account, addresses, paymentMethods, subscriptions] = await Promise.all([
    requireAccount(deps.db, session.accountId),
    listAddresses(deps.db, session.accountId),
    listPaymentMethods(deps.db, session.accountId),
    listSubscriptions(deps.db, session.accountId),
  ]);
  return { account, addresses, paymentMethods, subscriptions };
}

export async function changeName(deps: ServiceDeps, session: ActiveSession, name: string): Promise<void> {
  await updateAccount(deps.db, session.accountId, { name, updated_at: deps.clock.now().toISOString() });
}

export async function changePhone(deps: ServiceDeps, session: ActiveSession, origin: RequestOrigin, phone: string | null): Promise<void> {
  assertPrivileged(deps, session);
  await deps.db.transaction().execute(async (trx) => {
    const account = await requireAccount(trx, session.accountId);
    await updateAccount(trx, account.id, { phone, updated_at: deps.clock.now().toISOString() });
    await queueSecurityNotice(trx, deps, account, origin, {
      kind: 'phone-changed',
      before: account.phone ? maskPhone(account.phone) : null,
      after: phone ? maskPhone(phone) : null,
    });
  });
  deps.mailQueued();
}

export interface NewAddress {
  recipient: string;
  postalCode: string;
  region: string;
  city: string;
  line1: string;
  line2: string | null;
  country: string;
}

export async function addAddress(deps: ServiceDeps, session: ActiveSession, origin: RequestOrigin, address: NewAddress): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const account = await requireAccount(trx, session.accountId);
    await insertAddress(trx, {
      id: deps.random.id(),
      account_id: account.id,
      recipient: address.recipient,
      postal_code: address.postalCode,
      region: address.region,
      city: address.city,
      line1: address.line1,
      line2: address.line2,
      country: address.country,
      created_at: deps.clock.now().toISOString(),
    });
    await queueSecurityNotice(trx, deps, account, origin, { kind: 'address-added', after: `${address.city}, ${address.postalCode}` });
  });
  deps.mailQueued();
}

export async function deleteAddress(deps: ServiceDeps, session: ActiveSession, origin: RequestOrigin, addressId: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const removed = await removeAddress(trx, session.accountId, addressId, deps.clock.now().toISOString());
    if (!removed) throw new DomainError('NOT_FOUND');
    const account = await requireAccount(trx, session.accountId);
    await queueSecurityNotice(trx, deps, account, origin, { kind: 'address-removed', before: `${removed.city}, ${removed.postal_code}` });
  });
  deps.mailQueued();
}

export interface NewPaymentMethod {
  processorToken: string;
  brand: CardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
}

export async function addPaymentMethod(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  card: NewPaymentMethod,
): Promise<void> {
  assertPrivileged(deps, session);
  if (containsCardNumber(card.processorToken)) {
    throw new DomainError('CARD_NUMBER_REFUSED', { fields: [{ field: 'processorToken', code: 'CARD_NUMBER_REFUSED' }] });
  }
  if (isExpired(card.expMonth, card.expYear, deps.clock.now())) {
    throw new DomainError('INVALID_INPUT', { fields: [{ field: 'expYear', code: 'CARD_EXPIRED' }] });
  }
  await deps.db.transaction().execute(async (trx) => {
    const account = await requireAccount(trx, session.accountId);
    await insertPaymentMethod(trx, {
      id: deps.random.id(),
      account_id: account.id,
      processor_token: card.processorToken,
      brand: card.brand,
      last4: card.last4,
      exp_month: card.expMonth,
      exp_year: card.expYear,
      created_at: deps.clock.now().toISOString(),
    });
    await queueSecurityNotice(trx, deps, account, origin, { kind: 'payment-method-added', after: `${card.brand} •••• ${card.last4}` });
  });
  deps.mailQueued();
}

export async function deletePaymentMethod(deps: ServiceDeps, session: ActiveSession, origin: RequestOrigin, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const removed = await removePaymentMethod(trx, session.accountId, id, deps.clock.now().toISOString());
    if (!removed) throw new DomainError('NOT_FOUND');
    const account = await requireAccount(trx, session.accountId);
    await queueSecurityNotice(trx, deps, account, origin, {
      kind: 'payment-method-removed',
      before: `${removed.brand} •••• ${removed.last4}`,
    });
  });
  deps.mailQueued();
}

export async function changeSubscription(
  deps: ServiceDeps,
  session: ActiveSession,
  input: { id: string; interval: string; status: string },
): Promise<void> {
  const existing = await findSubscription(deps.db, session.accountId, input.id);
  if (!existing) throw new DomainError('NOT_FOUND');
  await updateSubscription(deps.db, session.accountId, input.id, {
    interval: input.interval,
    status: input.status,
    updated_at: deps.clock.now().toISOString(),
  });
}
