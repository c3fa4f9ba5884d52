import { Transaction } from 'kysely';
import { sqliteAtOnce, sqliteWriteTransaction, type AtOnce, type Db, type Executor } from './database.ts';
import type { Database } from './schema.ts';

type Write = (trx: Executor) => Promise<void>;
/** The same write as compiled statements run there and then inside sqliteAtOnce's transaction (their `.now`). */
export type WriteNow = (atOnce: AtOnce) => void;
/**
 * Runs a write and settles once it is durable: the store itself, or a group commit. `now`, when given,
 * must write exactly what `write` does; a group commit may run it instead (see groupCommit).
 */
export type Commit = (write: Write, now?: WriteNow) => Promise<void>;

/** Each write its own statement on the store, committed on its own (or in the caller's transaction). */
export const commitAlone =
  (db: Executor): Commit =>
  (write) =>
    write(db);

type Pending = { write: Write; now: WriteNow | undefined; resolve: () => void; reject: (error: unknown) => void };

/**
 * Group commit: small writes that arrive within two turns of the event loop (from concurrent requests)
 * are committed in one transaction, and each caller's promise settles only once its write is durable.
 * A commit costs several times what a small insert does, so a busy endpoint writing a row or two per
 * request spends most of its store time committing. If the shared transaction fails, each write is
 * tried again on its own, so one bad write fails only its own caller.
 * On SQLite, when every write of a batch has its `now` form and nothing holds the connection, the batch
 * runs from BEGIN to COMMIT with no await (sqliteAtOnce): Kysely's transaction, its connection hand-over
 * and a promise per statement cost a busy token endpoint more than the rows it writes.
 */
export function groupCommit(db: Db): Commit {
  let pending: Pending[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    if (batch.length > 1 && committedAtOnce(db, batch)) return;
    try {
      if (batch.length === 1) await batch[0]?.write(db);
      else
        await sqliteWriteTransaction(db, async (trx) => {
          for (const { write } of batch) await write(trx);
        });
      for (const { resolve } of batch) resolve();
    } catch (error) {
      if (batch.length === 1) return batch[0]?.reject(error);
      await eachAlone(db, batch);
    }
  };
  return (write, now) =>
    new Promise<void>((resolve, reject) => {
      // Flushed a turn of the event loop later than the first chance: requests whose answers arrive in
      // that turn's poll add their writes to the batch, so a busy endpoint commits fewer, larger batches.
      if (pending.length === 0) setImmediate(() => setImmediate(() => void flush()));
      pending.push({ write, now, resolve, reject });
    });
}

/**
 * The batch in one transaction straight on SQLite, if it can be: true once it is committed and every
 * caller told. A failure has rolled it all back: each write is then tried on its own, as after a failed
 * shared transaction (true as well). False, with nothing run, when a write has no `now` form, on
 * PostgreSQL, or while something holds the connection.
 */
function committedAtOnce(db: Db, batch: readonly Pending[]): boolean {
  for (const { now } of batch) if (!now) return false;
  let ran: boolean;
  try {
    ran = sqliteAtOnce(db, (atOnce) => {
      for (const { now } of batch) (now as WriteNow)(atOnce);
    });
  } catch {
    void eachAlone(db, batch);
    return true;
  }
  if (ran) for (const { resolve } of batch) resolve();
  return ran;
}

async function eachAlone(db: Db, batch: readonly Pending[]): Promise<void> {
  for (const { write, resolve, reject } of batch) await write(db).then(resolve, reject);
}

/**
 * Several statements of one write committed together, where a commit hands the write the store itself
 * (a group commit's batch of one, or commitAlone): on SQLite at once from BEGIN to COMMIT when nothing
 * holds the connection (`atOnce`, the same statements with their `.now`), else in a transaction
 * (`inTransaction`). Inside a transaction already (a batch), they simply join it.
 */
export function writeTogether(
  trx: Executor,
  atOnce: WriteNow,
  inTransaction: (trx: Executor) => Promise<void>,
): Promise<void> {
  if (trx instanceof Transaction) return inTransaction(trx as Transaction<Database>);
  if (sqliteAtOnce(trx, atOnce)) return Promise.resolve();
  return sqliteWriteTransaction(trx, inTransaction);
}
