import { PostgresAdapter, sql, type Insertable, type Selectable } from 'kysely';
import { bulkInsertAll, bulkRows, type BulkRows } from './bulk-insert.ts';
import { compiledOnce } from './compiled-query.ts';
import type { Executor } from './database.ts';
import type { ImportedCustomerIdsTable, ImportedPasswordsTable } from './schema.ts';

export type ImportedPasswordRow = Selectable<ImportedPasswordsTable>;

/**
 * A batch of values to match: on PostgreSQL `= any($1)`, one array parameter rather than an IN with one
 * per value (a 500-value IN costs more to parse and bind than to run).
 */
const onPostgres = (db: Executor) => db.getExecutor().adapter instanceof PostgresAdapter;
const anyOf = (values: readonly string[]) => sql<string>`any(${[...values]}::text[])`;

/** The accounts a shop's customer ids already point at (the importer's first idempotency key). */
export async function accountIdsByShopIds(
  db: Executor,
  clientId: string,
  shopCustomerIds: readonly string[],
): Promise<Map<string, string>> {
  if (shopCustomerIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('imported_customer_ids')
    .select(['shop_customer_id', 'account_id'])
    .where('client_id', '=', clientId)
    .where((eb) =>
      onPostgres(db)
        ? eb('shop_customer_id', '=', anyOf(shopCustomerIds))
        : eb('shop_customer_id', 'in', shopCustomerIds),
    )
    .execute();
  return new Map(rows.map((r) => [r.shop_customer_id, r.account_id]));
}

/** Accounts already in Mamori by address (the importer's second idempotency key). */
export async function accountIdsByEmails(db: Executor, emails: readonly string[]): Promise<Map<string, string>> {
  if (emails.length === 0) return new Map();
  const rows = await db
    .selectFrom('accounts')
    .select(['email', 'id'])
    .where((eb) => (onPostgres(db) ? eb('email', '=', anyOf(emails)) : eb('email', 'in', emails)))
    .execute();
  return new Map(rows.map((r) => [r.email, r.id]));
}

export function shopCustomerIdRows(rows: readonly Insertable<ImportedCustomerIdsTable>[]): BulkRows {
  return bulkRows(
    'imported_customer_ids',
    { client_id: 'text', shop_customer_id: 'text', account_id: 'text', imported_at: 'text' },
    rows,
  );
}

export async function insertShopCustomerIds(
  db: Executor,
  rows: readonly Insertable<ImportedCustomerIdsTable>[],
): Promise<void> {
  await bulkInsertAll(db, [shopCustomerIdRows(rows)]);
}

export function importedPasswordRows(rows: readonly Insertable<ImportedPasswordsTable>[]): BulkRows {
  return bulkRows(
    'imported_passwords',
    { account_id: 'text', client_id: 'text', format: 'text', hash: 'text', salt: 'text', imported_at: 'text' },
    rows,
  );
}

export async function findImportedPassword(db: Executor, accountId: string): Promise<ImportedPasswordRow | undefined> {
  return db.selectFrom('imported_passwords').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

/** Forgets the imported hash once the first right password replaced it; false when another request did first. */
export async function deleteImportedPassword(db: Executor, accountId: string): Promise<boolean> {
  const result = await db.deleteFrom('imported_passwords').where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * The account the provider issues a token for, with the asking shop's own customer id if that shop
 * imported it: one statement on every token, refresh and userinfo answer, built and compiled once. A
 * shop's customer id is read only for that shop (none without one).
 */
const accountForClient = compiledOnce((db: Executor, accountId: string, clientId: string | null) =>
  db
    .selectFrom('accounts')
    .select(['id', 'email', 'email_verified_at', 'name', 'locale', 'status', 'irreversible_hold_until'])
    .select((eb) =>
      eb
        .selectFrom('imported_customer_ids')
        .select('shop_customer_id')
        .whereRef('imported_customer_ids.account_id', '=', 'accounts.id')
        .where('imported_customer_ids.client_id', '=', clientId)
        .limit(1)
        .as('shop_customer_id'),
    )
    .where('id', '=', accountId),
);

export type AccountForClient = Awaited<ReturnType<typeof accountForClient>>[number];

export async function findAccountForClient(
  db: Executor,
  accountId: string,
  clientId: string | undefined,
): Promise<AccountForClient | undefined> {
  return (await accountForClient(db, accountId, clientId ?? null))[0];
}

export async function upsertImportKey(
  db: Executor,
  row: { client_id: string; name: string; sealed: string; created_at: string },
): Promise<void> {
  await db
    .insertInto('import_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['client_id', 'name']).doUpdateSet({ sealed: row.sealed }))
    .execute();
}

export async function findImportKeys(db: Executor, clientId: string): Promise<{ name: string; sealed: string }[]> {
  return db.selectFrom('import_keys').select(['name', 'sealed']).where('client_id', '=', clientId).execute();
}

/**
 * The formats whose hashes need a shop key: the only ones the (client_id, format) index holds (migration
 * 0024). The count says so in the index's own terms, so both stores see that the index answers it.
 */
export const KEYED_FORMATS = ['eccube', 'eccube-sha1', 'firebase-scrypt'] as const;

/** How many of a shop's imported hashes are still in these keyed formats (a key is kept while one needs it). */
export function countImportedInFormatsQuery(db: Executor, clientId: string, formats: readonly string[]) {
  return db
    .selectFrom('imported_passwords')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('client_id', '=', clientId)
    .where('format', 'in', formats)
    .where(sql<boolean>`format IN (${sql.join(KEYED_FORMATS.map((f) => sql.lit(f)))})`);
}

export async function countImportedInFormats(
  db: Executor,
  clientId: string,
  formats: readonly string[],
): Promise<number> {
  const row = await countImportedInFormatsQuery(db, clientId, formats).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function deleteImportKey(db: Executor, clientId: string, name: string): Promise<void> {
  await db.deleteFrom('import_keys').where('client_id', '=', clientId).where('name', '=', name).execute();
}

/** Where an account came from (issue 26): each importing shop by name, when, and the hash still waiting. */
export async function importOrigins(
  db: Executor,
  accountId: string,
): Promise<{
  shops: { clientId: string; name: string | null; importedAt: string }[];
  password: { format: string | null } | null;
}> {
  const [shops, password] = await Promise.all([
    db
      .selectFrom('imported_customer_ids')
      .leftJoin('oidc_clients', 'oidc_clients.client_id', 'imported_customer_ids.client_id')
      .select(['imported_customer_ids.client_id as clientId', 'oidc_clients.name', 'imported_customer_ids.imported_at'])
      .where('imported_customer_ids.account_id', '=', accountId)
      .orderBy('imported_customer_ids.imported_at')
      .execute(),
    db.selectFrom('imported_passwords').select('format').where('account_id', '=', accountId).executeTakeFirst(),
  ]);
  return {
    shops: shops.map((s) => ({ clientId: s.clientId, name: s.name, importedAt: s.imported_at })),
    password: password ? { format: password.format } : null,
  };
}
