import { PostgresAdapter, sql, type Insertable } from 'kysely';
import type { Executor } from './database.ts';
import type { Database } from './schema.ts';

/** The PostgreSQL type of each column written, by name; a column left out takes its default. */
export type BulkColumns<T extends keyof Database> = {
  readonly [C in keyof Insertable<Database[T]>]?: 'text' | 'integer';
};

/** Rows per multi-row INSERT on SQLite: well under its bound on parameters in one statement. */
const SQLITE_CHUNK = 400;

/**
 * Inserts many rows at once (an import). On PostgreSQL the rows go as one array per column through
 * `unnest`: a handful of parameters instead of one per cell, which PostgreSQL parses and binds several
 * times faster than a multi-row VALUES, and no bound on the number of rows. On SQLite, multi-row VALUES
 * in chunks (its statements are prepared once and reused by their text).
 */
export async function bulkInsert<T extends keyof Database & string>(
  db: Executor,
  table: T,
  columns: BulkColumns<T>,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const names = Object.keys(columns) as (keyof Insertable<Database[T]> & string)[];
    const arrays = names.map((name) => {
      const values = rows.map((row) => row[name] ?? null);
      return sql`${values}::${sql.raw(columns[name] as string)}[]`;
    });
    await sql`insert into ${sql.table(table)} (${sql.join(names.map((name) => sql.ref(name)))}) select * from unnest(${sql.join(arrays)})`.execute(
      db,
    );
    return;
  }
  for (let i = 0; i < rows.length; i += SQLITE_CHUNK)
    await db
      .insertInto(table)
      .values(rows.slice(i, i + SQLITE_CHUNK) as never)
      .execute();
}
