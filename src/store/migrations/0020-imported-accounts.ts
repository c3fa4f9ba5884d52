import type { Kysely } from 'kysely';

/**
 * Accounts a shop brought with it (issue 26, DESIGN 2 G).
 * - imported_customer_ids: the shop's own customer id, per client; one account may carry ids from several
 *   shops (the same address imported twice is one account). The import is idempotent on (client, id).
 * - imported_passwords: the hash the shop exported, kept until the first right password replaces it with
 *   argon2id; format and hash are null for a customer imported without one (she is offered a link).
 * - import_keys: shop-wide keys some formats need (EC-CUBE AUTH_MAGIC, Firebase signer key), sealed under
 *   MAMORI_SECRET_KEY, deleted once no imported password of that shop needs them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('imported_customer_ids')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('shop_customer_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('imported_customer_ids_pk', ['client_id', 'shop_customer_id'])
    .execute();
  await db.schema
    .createIndex('imported_customer_ids_account')
    .on('imported_customer_ids')
    .columns(['account_id', 'client_id'])
    .execute();

  await db.schema
    .createTable('imported_passwords')
    .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('format', 'text')
    .addColumn('hash', 'text')
    .addColumn('salt', 'text')
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('imported_passwords_client_format')
    .on('imported_passwords')
    .columns(['client_id', 'format'])
    .execute();

  await db.schema
    .createTable('import_keys')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_keys_pk', ['client_id', 'name'])
    .execute();
}
