import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { AddressesTable, PaymentMethodsTable, SubscriptionsTable } from './schema.ts';

export type AddressRow = Selectable<AddressesTable>;
export type PaymentMethodRow = Selectable<PaymentMethodsTable>;
export type SubscriptionRow = Selectable<SubscriptionsTable>;

/** What a customer saves for checkout: addresses and payment methods, removed softly so an undo can bring them back. */
type SavedTable = 'addresses' | 'payment_methods';
type SavedRow<T extends SavedTable> = T extends 'addresses' ? AddressRow : PaymentMethodRow;

/** The account's saved rows of that table still in use, oldest first. */
export async function listSaved<T extends SavedTable>(
  db: Executor,
  table: T,
  accountId: string,
): Promise<SavedRow<T>[]> {
  const rows = await db
    .selectFrom(table as SavedTable)
    .selectAll()
    .where('account_id', '=', accountId)
    .where('removed_at', 'is', null)
    .orderBy('created_at')
    .execute();
  return rows as SavedRow<T>[];
}

/** Soft removal: the row stays so a later undo can bring it back. Returns the removed row, if any. */
export async function removeSaved<T extends SavedTable>(
  db: Executor,
  table: T,
  accountId: string,
  id: string,
  at: string,
): Promise<SavedRow<T> | undefined> {
  const row = await db
    .updateTable(table as SavedTable)
    .set({ removed_at: at })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .where('removed_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return row as SavedRow<T> | undefined;
}

export async function insertAddress(db: Executor, row: Insertable<AddressesTable>): Promise<void> {
  await db.insertInto('addresses').values(row).execute();
}

export async function insertPaymentMethod(db: Executor, row: Insertable<PaymentMethodsTable>): Promise<void> {
  await db.insertInto('payment_methods').values(row).execute();
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
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

/** Rows an undo can take away or bring back: the attacker's additions are removed, removals restored. */
export type RemovableTable = 'addresses' | 'payment_methods' | 'totp_factors' | 'passkeys';

/** At most this many ids in one statement, well under either store's limit on bound values. */
const IDS_PER_STATEMENT = 500;

/** Marks the account's rows with these ids removed (a time) or back in use (null), a bounded batch per statement. */
export async function setRemovedAt(
  db: Executor,
  table: RemovableTable,
  accountId: string,
  ids: readonly string[],
  removedAt: string | null,
): Promise<void> {
  for (let start = 0; start < ids.length; start += IDS_PER_STATEMENT) {
    await db
      .updateTable(table)
      .set({ removed_at: removedAt })
      .where('id', 'in', ids.slice(start, start + IDS_PER_STATEMENT))
      .where('account_id', '=', accountId)
      .execute();
  }
}
