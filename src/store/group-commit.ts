import { Transaction } from 'kysely';
import { sqliteAtOnce, sqliteWriteTransaction, type AtOnce, type Db, type Executor } from './database.ts';
import type { Database } from './schema.ts';

type Write = (trx: Executor) => Promise<void>;
/** Runs a write and settles once it is durable: the store itself, or a group commit. */
export type Commit = (write: Write) => Promise<void>;

/** Each write its own statement on the store, committed on its own (or in the caller's transaction). */
export const commitAlone =
  (db: Executor): Commit =>
  (write) =>
    write(db);

/**
 * Group commit: small writes that arrive in the same turn of the event loop (from concurrent requests)
 * are committed in one transaction, and each caller's promise settles only once its write is durable.
 * A commit costs several times what a small insert does, so a busy endpoint writing a row or two per
 * request spends most of its store time committing. If the shared transaction fails, each write is
 * tried again on its own, so one bad write fails only its own caller.
 */
export function groupCommit(db: Db): Commit {
  let pending: { write: Write; resolve: () => void; reject: (error: unknown) => void }[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    try {
      if (batch.length === 1) await batch[0]?.write(db);
      else
        await sqliteWriteTransaction(db, async (trx) => {
          for (const { write } of batch) await write(trx);
        });
      for (const { resolve } of batch) resolve();
    } catch (error) {
      if (batch.length === 1) return batch[0]?.reject(error);
      for (const { write, resolve, reject } of batch) await write(db).then(resolve, reject);
    }
  };
  return (write) =>
    new Promise<void>((resolve, reject) => {
      if (pending.length === 0) setImmediate(() => void flush());
      pending.push({ write, resolve, reject });
    });
}

/**
 * Several statements of one write committed together, where a commit hands the write the store itself
 * (a group commit's batch of one, or commitAlone): on SQLite at once from BEGIN to COMMIT when nothing
 * holds the connection (`atOnce`, the same statements with their `.now`), else in a transaction
 * (`inTransaction`). Inside a transaction already (a batch), they simply join it.
 */
export function writeTogether(
  trx: Executor,
  atOnce: (atOnce: AtOnce) => void,
  inTransaction: (trx: Executor) => Promise<void>,
): Promise<void> {
  if (trx instanceof Transaction) return inTransaction(trx as Transaction<Database>);
  if (sqliteAtOnce(trx, atOnce)) return Promise.resolve();
  return sqliteWriteTransaction(trx, inTransaction);
}
