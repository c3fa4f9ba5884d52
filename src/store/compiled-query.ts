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
  const cache = new WeakMap<object, { query: CompiledQuery<Row>; slots: number[] }>();
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
      entry = { query, slots };
      cache.set(adapter, entry);
    }
    return entry;
  };
  const parametersOf = (db: Executor, params: Params) => {
    const { query, slots } = compiled(db, params);
    const parameters: unknown[] = new Array(slots.length);
    for (let i = 0; i < slots.length; i += 1) {
      const slot = slots[i] as number;
      parameters[i] = slot >= 0 ? params[slot] : query.parameters[i];
    }
    return { query, parameters };
  };
  // Not an async function: on SQLite the statement has run by the time this returns, and the promise it
  // answers is the only one made (an async function's frame and its promise are made for every call).
  function run(db: Executor, ...params: Params): Promise<Row[]> {
    try {
      const { query, parameters } = parametersOf(db, params);
      // On SQLite, where nothing can come between (sqliteStatementsOf), the statement runs at once: Kysely's
      // queue, there to keep a transaction's statements together, would add only its promises.
      const sqlite = sqliteStatementsOf(db);
      if (!sqlite) return db.executeQuery<Row>({ ...query, parameters }).then((result) => result.rows);
      return Promise.resolve(runOn<Row>(sqlite, query.sql, parameters));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
  /** The same statement inside sqliteAtOnce's work: run there and then, its rows returned (no promise). */
  const now = (atOnce: AtOnce, ...params: Params): Row[] => {
    const { query, parameters } = parametersOf(atOnce.db, params);
    return runOn<Row>(atOnce.sqlite, query.sql, parameters);
  };
  return Object.assign(run, { now });
}

function runOn<Row>(sqlite: SQLite.Database, sql: string, parameters: readonly unknown[]): Row[] {
  const statement = sqlite.prepare<unknown[], Row>(sql);
  if (statement.reader) return rowsOf<Row>(statement, parameters);
  statement.run(parameters);
  return [];
}

const columnNames = new WeakMap<SQLite.Statement, string[]>();

/**
 * A statement's rows as objects, made here from better-sqlite3's arrays: making each row's object in
 * native code (a property lookup and an internalised name per column and row) cost the sign-in's wide
 * rows more than SQLite took to find them. Raw mode is switched off again at once: the statement is
 * shared (by its SQL) with Kysely, which wants objects. A name given twice keeps the later value, as
 * better-sqlite3's own objects do.
 */
function rowsOf<Row>(statement: SQLite.Statement, parameters: readonly unknown[]): Row[] {
  let names = columnNames.get(statement);
  if (!names) {
    names = statement.columns().map((column) => column.name);
    columnNames.set(statement, names);
  }
  let values: unknown[][];
  statement.raw(true);
  try {
    values = statement.all(parameters) as unknown[][];
  } finally {
    statement.raw(false);
  }
  const keys = names;
  return values.map((value) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i += 1) row[keys[i] as string] = value[i];
    return row as Row;
  });
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
