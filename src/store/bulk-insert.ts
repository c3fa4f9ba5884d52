import { PostgresAdapter, sql, type Insertable, type RawBuilder } from 'kysely';
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
 * times faster than a multi-row VALUES, and no bound on the number of rows. A column with one value in
 * every row (the import's time, the log's actor) goes once, not once a row. On SQLite, multi-row VALUES
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
    const values = names.map((name) => rows.map((row) => row[name] ?? null));
    const constant = values.map((column) => column.every((value) => value === column[0]));
    if (constant.every(Boolean)) constant[0] = false; // unnest needs one array to give the rows
    const arrays: RawBuilder<unknown>[] = [];
    const selected = names.map((name, i) => {
      const type = sql.raw(columns[name] as string);
      const column = values[i] as unknown[];
      if (constant[i]) return sql`${column[0]}::${type}`;
      arrays.push(sql`${arrayLiteral(column)}::${type}[]`);
      return sql.ref(`u.c${arrays.length - 1}`);
    });
    const aliases = arrays.map((_, i) => sql.ref(`c${i}`));
    await sql`insert into ${sql.table(table)} (${sql.join(names.map((name) => sql.ref(name)))}) select ${sql.join(selected)} from unnest(${sql.join(arrays)}) as u(${sql.join(aliases)})`.execute(
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

/**
 * A column's values as one PostgreSQL array literal. JSON's array of strings, numbers and nulls is that
 * literal between other brackets whenever its only escapes are \" and \\ (read the same way by both);
 * V8 writes it in one native pass, where pg's own encoding builds it value by value. Anything else
 * (an escaped control character, another type) goes as the array itself, for pg to encode.
 */
export function arrayLiteral(values: readonly unknown[]): string | unknown[] {
  for (const value of values)
    if (value !== null && typeof value !== 'string' && !Number.isSafeInteger(value)) return [...values];
  const json = JSON.stringify(values);
  // Taken in pairs as JSON wrote them, the escaped backslashes leave only other escapes behind.
  const unpaired = json.includes('\\\\') ? json.replaceAll('\\\\', '') : json;
  if (/\\[^"]/.test(unpaired)) return [...values];
  return `{${json.slice(1, -1)}}`;
}
