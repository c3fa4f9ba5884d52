import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { AddressesTable, PaymentMethodsTable, SubscriptionsTable } from './schema.ts';

export type AddressRow = Selectable<AddressesTable>;
export type PaymentMethodRow = Selectable<PaymentMethodsTable>;
export type SubscriptionRow = Selectable<SubscriptionsTable>;

export function listAddresses(db: Executor, accountId: string): Promise<AddressRow[]> {
  return db.selectFrom('addresses').selectAll().where('account_id', '=', accountId).where('removed_at', 'is', null).orderBy('created_at').execute();
}

export async function insertAddress(db: Executor, row: Insertable<AddressesTable>): Promise<void> {
  await db.insertInto('addresses').values(row).execute();
}

/** Soft removal: the row stays so a later undo can bring it back. Returns the removed row, if any. */
export function removeAddress(db: Executor, accountId: string, id: string, at: string): Promise<AddressRow | undefined> {
  return db
    .updateTable('addresses')
    .set({ removed_at: at })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .where('removed_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export function listPaymentMethods(db: Executor, accountId: string): Promise<PaymentMethodRow[]> {
  return db
    .selectFrom('payment_methods')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('removed_at', 'is', null)
    .orderBy('created_at')
    .execute();
}

export async function insertPaymentMethod(db: Executor, row: Insertable<PaymentMethodsTable>): Promise<void> {
  await db.insertInto('payment_methods').values(row).execute();
}

export function removePaymentMethod(db: Executor, accountId: string, id: string, at: string): Promise<PaymentMethodRow | undefined> {
  return db
    .updateTable('payment_methods')
    .set({ removed_at: at })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .where('removed_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export function listSubscriptions(db: Executor, accountId: string): Promise<SubscriptionRow[]> {
  return db.selectFrom('subscriptions').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
}

export async function insertSubscription(db: Executor, row: Insertable<SubscriptionsTable>): Promise<void> {
  await db.insertInto('subscriptions').values(row).execute();
}

export function updateSubscription(
  db: Executor,
  accountId: string,
  id: string,
  changes: { interval: string; status: string; updated_at: string },
): Promise<SubscriptionRow | undefined> {
  return db
    .updateTable('subscriptions')
    .set(changes)
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .returningAll()
    .executeTakeFirst();
}

export function findSubscription(db: Executor, accountId: string, id: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('subscriptions').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
}

/** Rows an undo can take away or bring back: the attacker's additions are removed, removals restored. */
export type RemovableTable = 'addresses' | 'payment_methods' | 'totp_factors' | 'passkeys';

export async function setRemovedAt(db: Executor, table: RemovableTable, accountId: string, id: string, removedAt: string | null): Promise<void> {
  await db.updateTable(table).set({ removed_at: removedAt }).where('id', '=', id).where('account_id', '=', accountId).execute();
}
