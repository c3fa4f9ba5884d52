import { bulkRows, type BulkRows } from './bulk-insert.ts';
import { compiledOnce } from './compiled-query.ts';
import type { AtOnce, Executor } from './database.ts';

// Written with every grant the provider saves (each sign-in to a shop): compiled once.
const upsertShopCustomer = compiledOnce(
  (db: Executor, clientId: string, accountId: string, granted: number, at: string) =>
    db
      .insertInto('shop_customers')
      .values({ client_id: clientId, account_id: accountId, email_granted: granted, first_signed_in_at: at })
      .onConflict((oc) =>
        oc
          .columns(['client_id', 'account_id'])
          .doUpdateSet({ email_granted: granted })
          .where('shop_customers.email_granted', '<', granted),
      ),
);

/**
 * Notes that the account signed in to the shop (written with each grant the provider saves). The first
 * sign-in's time stays; `email_granted` only ever goes up: once given, an address was the shop's to know.
 */
export async function recordShopCustomer(
  db: Executor,
  row: { clientId: string; accountId: string; emailGranted: boolean; at: string },
): Promise<void> {
  await upsertShopCustomer(db, row.clientId, row.accountId, row.emailGranted ? 1 : 0, row.at);
}

/** The same, inside sqliteAtOnce's work: noted there and then. */
export function recordShopCustomerNow(
  atOnce: AtOnce,
  row: { clientId: string; accountId: string; emailGranted: boolean; at: string },
): void {
  upsertShopCustomer.now(atOnce, row.clientId, row.accountId, row.emailGranted ? 1 : 0, row.at);
}

/** Whether the account ever signed in to the shop, and whether it granted the shop its address. */
export function findShopCustomer(db: Executor, clientId: string, accountId: string) {
  return db
    .selectFrom('shop_customers')
    .select(['email_granted'])
    .where('client_id', '=', clientId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

/** A removed shop takes its list of customers with it. */
export async function forgetShopCustomers(db: Executor, clientId: string): Promise<void> {
  await db.deleteFrom('shop_customers').where('client_id', '=', clientId).execute();
}

/**
 * The accounts a shop's import created are its customers from the start, with the address it gave
 * (migration 0021 explains why); `first_signed_in_at` is then the import's time.
 */
export function importedShopCustomerRows(clientId: string, accountIds: readonly string[], at: string): BulkRows {
  return bulkRows(
    'shop_customers',
    { client_id: 'text', account_id: 'text', email_granted: 'integer', first_signed_in_at: 'text' },
    accountIds.map((accountId) => ({
      client_id: clientId,
      account_id: accountId,
      email_granted: 1,
      first_signed_in_at: at,
    })),
  );
}
