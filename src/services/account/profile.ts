import { isExpired, type CardBrand } from '../../core/payment-card.ts';
import { DomainError } from '../../core/errors.ts';
import { findAccountById, updateAccount, type AccountRow } from '../../store/accounts.ts';
import {
  findSubscription,
  insertAddress,
  insertPaymentMethod,
  listSaved,
  listSubscriptions,
  removeSaved,
  updateSubscription,
  type AddressRow,
  type PaymentMethodRow,
  type SubscriptionRow,
} from '../../store/profile.ts';
import type { Executor } from '../../store/database.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { actorFrom } from '../account-log/change-log.ts';
import { recordSensitiveChange } from '../notices/security-notice.ts';
import { assertPrivileged, type ActiveSession } from '../sessions/sessions.ts';
import { delayReasonFor, delayChange } from '../delayed-changes/delay.ts';

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
    listSaved(deps.db, 'addresses', session.accountId),
    listSaved(deps.db, 'payment_methods', session.accountId),
    listSubscriptions(deps.db, session.accountId),
  ]);
  return { account, addresses, paymentMethods, subscriptions };
}

export async function changeName(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  name: string,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const account = await requireAccount(trx, session.accountId);
    if (account.name === name) return;
    await updateAccount(trx, account.id, { name, updated_at: deps.clock.now().toISOString() });
    await recordSensitiveChange(trx, deps, account, {
      kind: 'name-changed',
      actor: actorFrom(origin),
      before: { name: account.name },
      after: { name },
    });
  });
  deps.mailQueued();
}

export type DelayOutcome = { held: false } | { held: true; applyAt: string };

export async function changePhone(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  phone: string | null,
): Promise<DelayOutcome> {
  assertPrivileged(deps, session);
  const account = await requireAccount(deps.db, session.accountId);
  if (account.phone === phone) return { held: false };
  const reason = await delayReasonFor(deps, account, session, origin, 'phone-change');
  if (reason)
    return {
      held: true,
      ...(await delayChange(deps, account, origin, { kind: 'phone-change', payload: { phone } }, reason)),
    };
  await deps.db
    .transaction()
    .execute(async (trx) => applyPhoneChange(trx, deps, await requireAccount(trx, account.id), origin, phone));
  deps.mailQueued();
  return { held: false };
}

export async function applyPhoneChange(
  trx: Executor,
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  phone: string | null,
): Promise<void> {
  if (account.phone === phone) return;
  await updateAccount(trx, account.id, { phone, updated_at: deps.clock.now().toISOString() });
  await recordSensitiveChange(trx, deps, account, {
    kind: 'phone-changed',
    actor: actorFrom(origin),
    before: { phone: account.phone },
    after: { phone },
  });
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

/** A new delivery address: from a young or risky session it waits, so orders cannot be sent to it at once. */
export async function addAddress(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  address: NewAddress,
): Promise<DelayOutcome> {
  const account = await requireAccount(deps.db, session.accountId);
  const reason = await delayReasonFor(deps, account, session, origin, 'address-added');
  if (reason)
    return {
      held: true,
      ...(await delayChange(deps, account, origin, { kind: 'address-added', payload: address }, reason)),
    };
  await deps.db
    .transaction()
    .execute(async (trx) => applyAddress(trx, deps, await requireAccount(trx, account.id), origin, address));
  deps.mailQueued();
  return { held: false };
}

export async function applyAddress(
  trx: Executor,
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  address: NewAddress,
): Promise<void> {
  const id = deps.random.id();
  await insertAddress(trx, {
    id,
    account_id: account.id,
    ...addressValue(address),
    created_at: deps.clock.now().toISOString(),
  });
  await recordSensitiveChange(trx, deps, account, {
    kind: 'address-added',
    actor: actorFrom(origin),
    subjectId: id,
    after: addressValue(address),
  });
}

export async function deleteAddress(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  addressId: string,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const removed = await removeSaved(trx, 'addresses', session.accountId, addressId, deps.clock.now().toISOString());
    if (!removed) throw new DomainError('NOT_FOUND');
    const account = await requireAccount(trx, session.accountId);
    await recordSensitiveChange(trx, deps, account, {
      kind: 'address-removed',
      actor: actorFrom(origin),
      subjectId: removed.id,
      before: {
        recipient: removed.recipient,
        postal_code: removed.postal_code,
        region: removed.region,
        city: removed.city,
        line1: removed.line1,
        line2: removed.line2,
        country: removed.country,
      },
    });
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
): Promise<DelayOutcome> {
  assertPrivileged(deps, session);
  if (isExpired(card.expMonth, card.expYear, deps.clock.now())) {
    throw new DomainError('INVALID_INPUT', { fields: [{ field: 'expYear', code: 'CARD_EXPIRED' }] });
  }
  const account = await requireAccount(deps.db, session.accountId);
  const reason = await delayReasonFor(deps, account, session, origin, 'payment-method-added');
  if (reason)
    return {
      held: true,
      ...(await delayChange(deps, account, origin, { kind: 'payment-method-added', payload: card }, reason)),
    };
  await deps.db.transaction().execute((trx) => applyPaymentMethod(trx, deps, account, origin, card));
  deps.mailQueued();
  return { held: false };
}

export async function applyPaymentMethod(
  trx: Executor,
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  card: NewPaymentMethod,
): Promise<void> {
  const id = deps.random.id();
  await insertPaymentMethod(trx, {
    id,
    account_id: account.id,
    processor_token: card.processorToken,
    brand: card.brand,
    last4: card.last4,
    exp_month: card.expMonth,
    exp_year: card.expYear,
    created_at: deps.clock.now().toISOString(),
  });
  await recordSensitiveChange(trx, deps, account, {
    kind: 'payment-method-added',
    actor: actorFrom(origin),
    subjectId: id,
    after: { brand: card.brand, last4: card.last4, exp_month: card.expMonth, exp_year: card.expYear },
  });
}

export async function deletePaymentMethod(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  id: string,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const removed = await removeSaved(trx, 'payment_methods', session.accountId, id, deps.clock.now().toISOString());
    if (!removed) throw new DomainError('NOT_FOUND');
    const account = await requireAccount(trx, session.accountId);
    await recordSensitiveChange(trx, deps, account, {
      kind: 'payment-method-removed',
      actor: actorFrom(origin),
      subjectId: removed.id,
      before: { brand: removed.brand, last4: removed.last4, exp_month: removed.exp_month, exp_year: removed.exp_year },
    });
  });
  deps.mailQueued();
}

export async function changeSubscription(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  input: { id: string; interval: string; status: string },
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const existing = await findSubscription(trx, session.accountId, input.id);
    if (!existing) throw new DomainError('NOT_FOUND');
    if (existing.interval === input.interval && existing.status === input.status) return;
    await updateSubscription(trx, session.accountId, input.id, {
      interval: input.interval,
      status: input.status,
      updated_at: deps.clock.now().toISOString(),
    });
    const account = await requireAccount(trx, session.accountId);
    await recordSensitiveChange(trx, deps, account, {
      kind: 'subscription-changed',
      actor: actorFrom(origin),
      subjectId: existing.id,
      before: { plan: existing.plan, interval: existing.interval, status: existing.status },
      after: { plan: existing.plan, interval: input.interval, status: input.status },
    });
  });
  deps.mailQueued();
}

function addressValue(address: NewAddress) {
  return {
    recipient: address.recipient,
    postal_code: address.postalCode,
    region: address.region,
    city: address.city,
    line1: address.line1,
    line2: address.line2,
    country: address.country,
  };
}

/** The language the person chose: their mail follows it. */
export async function rememberLocale(deps: ServiceDeps, accountId: string, locale: 'ja' | 'en'): Promise<void> {
  await updateAccount(deps.db, accountId, { locale, updated_at: deps.clock.now().toISOString() });
}
