import type { Insertable, Selectable, Updateable } from 'kysely';
import { compiledOnce } from './compiled-query.ts';
import type { Executor } from './database.ts';
import type { AccountsTable } from './schema.ts';

export type AccountRow = Selectable<AccountsTable>;

const accountByEmail = compiledOnce((db: Executor, email: string) =>
  db.selectFrom('accounts').selectAll().where('email', '=', email),
);

/** Every sign-in starts here, so the query is compiled once. */
export async function findAccountByEmail(db: Executor, email: string): Promise<AccountRow | undefined> {
  return (await accountByEmail(db, email))[0];
}

const accountById = compiledOnce((db: Executor, id: string) =>
  db.selectFrom('accounts').selectAll().where('id', '=', id),
);

/** Every token the provider issues or refreshes reads the account, so the query is compiled once. */
export async function findAccountById(db: Executor, id: string): Promise<AccountRow | undefined> {
  return (await accountById(db, id))[0];
}

export async function insertAccount(db: Executor, row: Insertable<AccountsTable>): Promise<void> {
  await db.insertInto('accounts').values(row).execute();
}

export async function updateAccount(db: Executor, id: string, changes: Updateable<AccountsTable>): Promise<void> {
  await db.updateTable('accounts').set(changes).where('id', '=', id).execute();
}

/**
 * Holds the account row until the transaction ends (a no-op UPDATE: PostgreSQL locks the row, SQLite
 * serialises writers anyway), so a count-then-insert on the account cannot race another one.
 */
export async function lockAccountRow(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set((eb) => ({ id: eb.ref('id') }))
    .where('id', '=', id)
    .execute();
}

/** "Later", or a passkey, answers a suggested password upgrade; a required one stays (false then). */
export async function clearPasswordSuggestion(db: Executor, id: string): Promise<boolean> {
  const result = await db
    .updateTable('accounts')
    .set({ password_upgrade: null })
    .where('id', '=', id)
    .where('password_upgrade', '=', 'suggested')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
