import { CompiledQuery, PostgresAdapter, type Insertable } from 'kysely';
import type { Executor } from './database.ts';
import type { Database } from './schema.ts';

type ColumnType = 'text' | 'integer';

/** The PostgreSQL type of each column written, by name; a column left out takes its default. */
export type BulkColumns<T extends keyof Database> = {
  readonly [C in keyof Insertable<Database[T]>]?: ColumnType;
};

/** Rows for one table, checked against its schema where they are made (see bulkRows). */
export interface BulkRows {
  readonly table: keyof Database & string;
  readonly columns: Readonly<Record<string, ColumnType>>;
  readonly rows: readonly Readonly<Record<string, unknown>>[];
}

export function bulkRows<T extends keyof Database & string>(
  table: T,
  columns: BulkColumns<T>,
  rows: readonly Insertable<Database[T]>[],
): BulkRows {
  return { table, columns: columns as Record<string, ColumnType>, rows: rows as Record<string, unknown>[] };
}

/** Rows per multi-row INSERT on SQLite: well under its bound on parameters in one statement. */
const SQLITE_CHUNK = 400;

export async function bulkInsert<T extends keyof Database & string>(
  db: Executor,
  table: T,
  columns: BulkColumns<T>,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  await bulkInsertAll(db, [bulkRows(table, columns, rows)]);
}

/**
 * Inserts many rows into several tables at once (an import), parents first. On PostgreSQL it is one
 * statement (each table's INSERT a WITH clause; foreign keys are checked at its end), and the rows go as
 * one array per column through `unnest`: a handful of parameters instead of one per cell, parsed and
 * bound several times faster than a multi-row VALUES. A value sent once serves every place it is used:
 * a column with one value in every row (the import's time, the log's actor) is one parameter, and the
 * same column of values in several tables (the account ids, the log head and the entry's hash) is one
 * array. On SQLite, multi-row VALUES in chunks, table by table (its statements are prepared once and
 * reused by their text).
 */
export async function bulkInsertAll(db: Executor, inserts: readonly BulkRows[]): Promise<void> {
  const written = inserts.filter((insert) => insert.rows.length > 0);
  if (written.length === 0) return;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await db.executeQuery(insertStatement(written));
    return;
  }
  for (const { table, rows } of written)
    for (let i = 0; i < rows.length; i += SQLITE_CHUNK)
      await db
        .insertInto(table)
        .values(rows.slice(i, i + SQLITE_CHUNK) as never)
        .execute();
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

function insertStatement(inserts: readonly BulkRows[]): CompiledQuery {
  const parameters: unknown[] = [];
  const numbers = new Map<string, number>();
  const parameter = (value: unknown, type: string): string => {
    const key =
      typeof value === 'string'
        ? `${type}:s${value}`
        : typeof value === 'number'
          ? `${type}:n${value}`
          : value === null
            ? `${type}:null`
            : null;
    let number = key === null ? undefined : numbers.get(key);
    if (number === undefined) {
      number = parameters.push(value);
      if (key !== null) numbers.set(key, number);
    }
    return `$${number}::${type}`;
  };
  const statements = inserts.map(({ table, columns, rows }) => {
    const names = Object.keys(columns);
    const values = names.map((name) => rows.map((row) => row[name] ?? null));
    const constant = values.map((column) => column.every((value) => value === column[0]));
    if (constant.every(Boolean)) constant[0] = false; // unnest needs one array to give the rows
    const arrays: string[] = [];
    const selected = names.map((name, i) => {
      const column = values[i] as unknown[];
      if (constant[i]) return parameter(column[0], columns[name] as string);
      arrays.push(parameter(arrayLiteral(column), `${columns[name]}[]`));
      return `u.c${arrays.length - 1}`;
    });
    return (
      `INSERT INTO ${quoted(table)} (${names.map(quoted).join(', ')}) SELECT ${selected.join(', ')} ` +
      `FROM unnest(${arrays.join(', ')}) AS u(${arrays.map((_, i) => `c${i}`).join(', ')})`
    );
  });
  const last = statements.pop() as string;
  const text =
    statements.length === 0 ? last : `WITH ${statements.map((s, i) => `w${i} AS (${s})`).join(', ')} ${last}`;
  return CompiledQuery.raw(text, parameters);
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
