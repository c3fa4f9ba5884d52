import type SQLite from 'better-sqlite3';
import type { Compilable, CompiledQuery, Insertable } from 'kysely';
import { sqliteStatementsOf, type AtOnce, type Executor } from './database.ts';
import type { Database } from './schema.ts';

/**
 * A hot query built and compiled once per dialect, then run with each call's values. Building and
 * compiling a query with Kysely costs more than SQLite takes to run it, so the sign-in and session paths
 * use this. Only for queries whose SQL does not depend on the values: a fixed number of IN items, no
 * optional clauses. The values are found by position through placeholders, so constants written
 * into the query stay as they are.
 */
export function compiledOnce<Params extends unknown[], Row>(
  build: (db: Executor, ...params: Params) => Compilable<Row>,
) {
  const cache = new WeakMap<object, Compiled<Row>>();
  const compiled = (db: Executor, params: Params) => {
    const adapter = db.getExecutor().adapter;
    let entry = cache.get(adapter);
    if (!entry) {
      const placeholders = params.map((_, i) => `\u0000placeholder-${i}\u0000`) as Params;
      const query = build(db, ...placeholders).compile();
      const slots = query.parameters.map((value) =>
        typeof value === 'string' && value.startsWith('\u0000placeholder-') ? Number(value.slice(13, -1)) : -1,
      );
      if (slots.filter((s) => s >= 0).length < params.length)
        throw new Error('compiledOnce: a value is not a query parameter');
      entry = { query, slots, statement: null, names: null };
      cache.set(adapter, entry);
    }
    return entry;
  };
  const parametersOf = (entry: Compiled<Row>, params: Params) => {
    const { query, slots } = entry;
    const parameters: unknown[] = new Array(slots.length);
    for (let i = 0; i < slots.length; i += 1) {
      const slot = slots[i] as number;
      parameters[i] = slot >= 0 ? params[slot] : query.parameters[i];
    }
    return parameters;
  };
  // Not an async function: on SQLite the statement has run by the time this returns, and the promise it
  // answers is the only one made (an async function's frame and its promise are made for every call).
  function run(db: Executor, ...params: Params): Promise<Row[]> {
    try {
      const entry = compiled(db, params);
      // On SQLite, where nothing can come between (sqliteStatementsOf), the statement runs at once: Kysely's
      // queue, there to keep a transaction's statements together, would add only its promises.
      const sqlite = sqliteStatementsOf(db);
      if (!sqlite)
        return db
          .executeQuery<Row>({ ...entry.query, parameters: parametersOf(entry, params) })
          .then((result) => result.rows);
      return Promise.resolve(runOn(entry, sqlite, parametersOf(entry, params)));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
  /** The same statement inside sqliteAtOnce's work: run there and then, its rows returned (no promise). */
  const now = (atOnce: AtOnce, ...params: Params): Row[] => {
    const entry = compiled(atOnce.db, params);
    return runOn(entry, atOnce.sqlite, parametersOf(entry, params));
  };
  return Object.assign(run, { now });
}

/**
 * A query compiled for one store, and on SQLite its statement, prepared on first use and kept: its own,
 * not shared by its SQL with Kysely's, so a reader stays in raw mode (see rowsOf) and its column names
 * are read once. One store's connection per entry (the cache is keyed by the store's adapter).
 */
type Compiled<Row> = {
  query: CompiledQuery<Row>;
  slots: number[];
  statement: SQLite.Statement | null;
  names: string[] | null;
};

function runOn<Row>(entry: Compiled<Row>, sqlite: SQLite.Database, parameters: readonly unknown[]): Row[] {
  let statement = entry.statement;
  if (!statement) {
    statement = sqlite.prepare(entry.query.sql);
    if (statement.reader) {
      entry.names = statement.columns().map((column) => column.name);
      statement.raw(true);
    }
    entry.statement = statement;
  }
  if (entry.names) return rowsOf<Row>(entry.names, statement.all(parameters) as unknown[][]);
  statement.run(parameters);
  return [];
}

/**
 * A statement's rows as objects, made here from better-sqlite3's arrays (raw mode): making each row's
 * object in native code (a property lookup and an internalised name per column and row) cost the
 * sign-in's wide rows more than SQLite took to find them. A name given twice keeps the later value, as
 * better-sqlite3's own objects do.
 */
function rowsOf<Row>(names: readonly string[], values: readonly unknown[][]): Row[] {
  const rows: Row[] = new Array(values.length);
  for (let r = 0; r < values.length; r += 1) {
    const value = values[r] as unknown[];
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i += 1) row[names[i] as string] = value[i];
    rows[r] = row as Row;
  }
  return rows;
}

/** An insert of whole rows into `table`, compiled once: every row names the same columns, in this order. */
export function compiledInsert<T extends keyof Database & string>(
  table: T,
  columns: readonly (keyof Insertable<Database[T]> & string)[],
) {
  const insert = compiledOnce((db: Executor, ...values: unknown[]) =>
    db
      .insertInto(table)
      .values(Object.fromEntries(columns.map((column, i) => [column, values[i]])) as Insertable<Database[T]>),
  );
  const valuesOf = (row: Insertable<Database[T]>) => columns.map((column) => row[column]);
  const run = async (db: Executor, row: Insertable<Database[T]>): Promise<void> => {
    await insert(db, ...valuesOf(row));
  };
  /** Inside sqliteAtOnce's work: inserted there and then. */
  const now = (atOnce: AtOnce, row: Insertable<Database[T]>): void => {
    insert.now(atOnce, ...valuesOf(row));
  };
  return Object.assign(run, { now });
}
