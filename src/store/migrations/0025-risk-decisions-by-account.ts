import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Risk decisions are kept in the order they are read: by account, then time (the support desk's list, the
 * hourly deny notice). That key is now the primary key, and the index that repeated it and the unique
 * index on the random id are gone: every sign-in wrote three b-trees (on SQLite, the rowid table and two
 * indexes; nine WAL frames per sign-in with its session, seven now), and no query looks a decision up by
 * id. The id stays in the key, so two decisions at the same moment are both kept. SQLite keeps the table
 * WITHOUT ROWID (the rows in the key's b-tree), rebuilt with its rows; PostgreSQL changes its key in place.
 * Every version recorded decisions for an account only; a row without one, if any, is kept under ''.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`ALTER TABLE risk_decisions DROP CONSTRAINT risk_decisions_pkey`.execute(db);
    await sql`UPDATE risk_decisions SET account_id = '' WHERE account_id IS NULL`.execute(db);
    await sql`ALTER TABLE risk_decisions ALTER COLUMN account_id SET NOT NULL`.execute(db);
    await sql`ALTER TABLE risk_decisions ADD CONSTRAINT risk_decisions_pkey
      PRIMARY KEY (account_id, created_at, id)`.execute(db);
    await db.schema.dropIndex('risk_decisions_account').execute();
    return;
  }
  // Kysely runs SQLite's migrations outside a transaction: the rebuild is one, so a crash leaves the old table.
  await db.transaction().execute(async (trx) => {
    await sql`CREATE TABLE risk_decisions_by_account (
      id text NOT NULL,
      account_id text NOT NULL,
      action text NOT NULL,
      decision text NOT NULL,
      score integer NOT NULL,
      reasons text NOT NULL,
      ip text NOT NULL,
      country text,
      device_id text,
      created_at text NOT NULL,
      PRIMARY KEY (account_id, created_at, id)
    ) WITHOUT ROWID`.execute(trx);
    await sql`INSERT INTO risk_decisions_by_account
      SELECT id, coalesce(account_id, ''), action, decision, score, reasons, ip, country, device_id, created_at
      FROM risk_decisions`.execute(trx);
    await trx.schema.dropTable('risk_decisions').execute();
    await sql`ALTER TABLE risk_decisions_by_account RENAME TO risk_decisions`.execute(trx);
  });
}
