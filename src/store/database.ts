import SQLite from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.ts';

export type Db = Kysely<Database>;
/** A repository function accepts either the database or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;
export type StoreKind = 'sqlite' | 'postgres';

export interface Store {
  db: Db;
  kind: StoreKind;
  /** A SQLite file's WAL checkpoints on a thread of their own, when openStore was asked for them. */
  checkpointer?: WalCheckpointer;
  close(): Promise<void>;
}

export interface StoreOptions {
  /**
   * A SQLite file's WAL is copied into the database on a thread of its own this often (wal-checkpointer.ts),
   * not by the commit that fills it. For a long-running server; unset, SQLite's autocheckpoint does it alone.
   */
  checkpointEveryMs?: number;
}

const STATEMENT_CACHE_SIZE = 512;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs three times what running a
 * primary-key lookup does. Statements are reused by their SQL text (bounded, oldest dropped first).
 * Safe because better-sqlite3 runs a statement to completion synchronously.
 */
function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      statement = sqlite.prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(source, statement);
    }
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, key) {
      if (key === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const sqliteBehind = new WeakMap<Db, SQLite.Database>();

/** Transactions opened by sqliteWriteTransaction, while their work runs: each holds the connection. */
const heldTransactions = new WeakMap<Executor, SQLite.Database>();

/**
 * Where a statement compiled once may run straight on the SQLite connection, skipping Kysely's queue and
 * promises (better-sqlite3 runs it to completion synchronously, so nothing can come between): the store
 * itself while no transaction is open on it (the statement commits alone, as through Kysely), or a
 * transaction of sqliteWriteTransaction while its work runs (it holds the connection, so the statement
 * joins it as through Kysely). Anything else (PostgreSQL, another transaction, the store while a
 * transaction is open) is undefined: the statement goes through Kysely and waits its turn.
 */
export function sqliteStatementsOf(db: Executor): SQLite.Database | undefined {
  if (db.isTransaction) {
    const held = heldTransactions.get(db);
    return held?.inTransaction ? held : undefined;
  }
  const sqlite = sqliteBehind.get(db);
  return sqlite && !sqlite.inTransaction ? sqlite : undefined;
}

/**
 * A Kysely transaction whose compiled-once statements run straight on the SQLite connection while `work`
 * runs (sqliteStatementsOf); on PostgreSQL, a plain transaction.
 */
export function sqliteWriteTransaction<T>(db: Db, work: (trx: Executor) => Promise<T>): Promise<T> {
  const sqlite = sqliteBehind.get(db);
  if (!sqlite) return db.transaction().execute(work);
  return db.transaction().execute(async (trx) => {
    heldTransactions.set(trx, sqlite);
    try {
      return await work(trx);
    } finally {
      heldTransactions.delete(trx);
    }
  });
}

/** A transaction of sqliteAtOnce while its work runs: compiled statements run on it with `.now`. */
export interface AtOnce {
  readonly db: Db;
  readonly sqlite: SQLite.Database;
}

/**
 * Runs `work` as one transaction straight on SQLite's connection (better-sqlite3's own), from BEGIN to
 * COMMIT without giving way (no await), so nothing can come between its statements, as for the single
 * statements of sqliteStatementsOf; an error rolls it back and is thrown. Only when nothing holds the connection: false,
 * with nothing run, on PostgreSQL or while a transaction is open, and the caller takes its Kysely path.
 * Kysely's transaction, its promises and its BEGIN and COMMIT built anew each time cost a sign-in more
 * than the rows it writes. `immediate` (BEGIN IMMEDIATE) takes the write lock first: for work that reads
 * and then writes on what it read, which another process's commit in between must not make stale.
 */
export function sqliteAtOnce(
  db: Db,
  work: (atOnce: AtOnce) => void,
  begin: 'deferred' | 'immediate' = 'deferred',
): boolean {
  const sqlite = sqliteStatementsOf(db);
  if (!sqlite) return false;
  let inTransaction = atOnceTransactions.get(sqlite);
  if (!inTransaction) {
    inTransaction = sqlite.transaction((each: (atOnce: AtOnce) => void, atOnce: AtOnce) => each(atOnce));
    atOnceTransactions.set(sqlite, inTransaction);
  }
  (begin === 'immediate' ? inTransaction.immediate : inTransaction)(work, { db, sqlite });
  return true;
}

/**
 * One better-sqlite3 transaction function per connection, given each call's work: `transaction(work)` builds
 * four wrappers and their properties every time (1.6% of the sign-in's event-loop samples under perf).
 */
const atOnceTransactions = new WeakMap<
  SQLite.Database,
  SQLite.Transaction<(work: (atOnce: AtOnce) => void, atOnce: AtOnce) => void>
>();

/** `sqlite:<path>` (or `sqlite::memory:`) or `postgres://…`. */
export function openStore(url: string, options: StoreOptions = {}): Store {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const path = url.replace(/^sqlite:/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  // With NORMAL, a WAL commit is not synced; a checkpoint is. Checkpointing every 4,000 pages (16 MiB of
  // WAL) rather than every 1,000 syncs a quarter as often under write-heavy work (codes, tokens, sessions).
  sqlite.pragma('wal_autocheckpoint = 4000');
  // 64 MiB of page cache (the default is 2 MiB): the provider's rows and the sessions stay in memory.
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  // The connection itself, not Kysely's view of it: statements compiled once keep statements of their own.
  sqliteBehind.set(db, sqlite);
  const checkpointer =
    path !== ':memory:' && options.checkpointEveryMs
      ? startWalCheckpointer(path, options.checkpointEveryMs)
      : undefined;
  const close = async () => {
    await checkpointer?.close();
    await db.destroy();
  };
  return { db, kind: 'sqlite', checkpointer, close };
}
