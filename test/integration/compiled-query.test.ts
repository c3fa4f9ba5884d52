import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { after, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { compiledOnce } from '../../src/store/compiled-query.ts';
import { openStore, sqliteAtOnce, sqliteWriteTransaction, type Executor } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { forEachStore, startMamori } from '../support/harness.ts';

const limitByKey = compiledOnce((db: Executor, key: string) =>
  db.selectFrom('rate_limits').select(['key', 'hits']).where('key', '=', key),
);
const insertLimit = compiledOnce((db: Executor, key: string) =>
  db.insertInto('rate_limits').values({ key, hits: 1, expires_at: '2099-01-01' }),
);

/** Hot reads compiled once may skip Kysely's queue on SQLite, but never into another request's transaction. */
forEachStore('compiled queries', (store) => {
  test('a read outside a transaction answers at once, and never sees a write another transaction rolls back', async () => {
    const m = await startMamori(store);
    try {
      const { db } = m.deps;
      await db.insertInto('rate_limits').values({ key: 'committed', hits: 1, expires_at: '2099-01-01' }).execute();
      assert.deepEqual(await limitByKey(db, 'committed'), [{ key: 'committed', hits: 1 }]);

      let readDuring: Promise<unknown[]> | undefined;
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('rate_limits').values({ key: 'doomed', hits: 1, expires_at: '2099-01-01' }).execute();
          readDuring = limitByKey(db, 'doomed');
          await nextTurn();
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.deepEqual(await readDuring, [], 'the uncommitted row was never seen');
      assert.deepEqual(await limitByKey(db, 'doomed'), []);
    } finally {
      await m.close();
    }
  });

  test('a write outside a transaction never joins one that is open, so its rollback cannot take the write along', async () => {
    const m = await startMamori(store);
    try {
      const { db } = m.deps;
      let writtenDuring: Promise<unknown> | undefined;
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('rate_limits').values({ key: 'doomed', hits: 1, expires_at: '2099-01-01' }).execute();
          writtenDuring = insertLimit(db, 'outside');
          await nextTurn();
          throw new Error('roll back');
        }),
        /roll back/,
      );
      await writtenDuring;
      assert.deepEqual(await limitByKey(db, 'outside'), [{ key: 'outside', hits: 1 }], 'the outside write stands');
      assert.deepEqual(await limitByKey(db, 'doomed'), []);
    } finally {
      await m.close();
    }
  });

  test('writes inside a write transaction go or stay with it, and are seen by its own reads', async () => {
    const m = await startMamori(store);
    try {
      const { db } = m.deps;
      await assert.rejects(
        sqliteWriteTransaction(db, async (trx) => {
          await insertLimit(trx, 'first');
          assert.deepEqual(await limitByKey(trx, 'first'), [{ key: 'first', hits: 1 }]);
          await insertLimit(trx, 'first');
        }),
        /UNIQUE|duplicate key/,
      );
      assert.deepEqual(await limitByKey(db, 'first'), [], 'the failed transaction left nothing');
      await sqliteWriteTransaction(db, async (trx) => {
        await insertLimit(trx, 'a');
        await insertLimit(trx, 'b');
      });
      assert.deepEqual((await limitByKey(db, 'a')).length + (await limitByKey(db, 'b')).length, 2);
    } finally {
      await m.close();
    }
  });

  test('rows keep their column names, nulls and a repeated name’s later value; the same SQL through Kysely still gives objects', async () => {
    const m = await startMamori(store);
    try {
      const { db } = m.deps;
      await db.insertInto('rate_limits').values({ key: 'wide', hits: 2, expires_at: '2099-01-01' }).execute();
      const twice = compiledOnce((dbx: Executor, key: string) =>
        dbx
          .selectFrom('rate_limits')
          .select(['key', 'hits', 'expires_at as hits_until'])
          .select((eb) => [eb.val(null).as('nothing'), eb.ref('expires_at').as('key')])
          .where('key', '=', key),
      );
      const expected = [{ key: '2099-01-01', hits: 2, hits_until: '2099-01-01', nothing: null }];
      assert.deepEqual(await twice(db, 'wide'), expected);
      assert.deepEqual(await twice(db, 'wide'), expected, 'asked again, from the kept statement');
      // The statement is shared by its SQL with Kysely's own queries, which must still get objects.
      assert.deepEqual(await limitByKey(db, 'wide'), [{ key: 'wide', hits: 2 }]);
      const viaKysely = await db.transaction().execute((trx) => limitByKey(trx, 'wide'));
      assert.deepEqual(viaKysely, [{ key: 'wide', hits: 2 }]);
    } finally {
      await m.close();
    }
  });

  test('a transaction run at once: only while nothing holds the connection, and its writes go or stay together', async () => {
    const m = await startMamori(store);
    try {
      const { db } = m.deps;
      const ran: string[] = [];
      // Another transaction holds the connection: nothing runs at once, so nothing can join it.
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('rate_limits').values({ key: 'held', hits: 1, expires_at: '2099-01-01' }).execute();
        assert.equal(
          sqliteAtOnce(db, (atOnce) => {
            ran.push('during');
            insertLimit.now(atOnce, 'inside-held');
          }),
          false,
        );
      });
      assert.deepEqual(ran, []);
      assert.deepEqual(await limitByKey(db, 'inside-held'), []);

      // A failing second write takes the first back with it; the error reaches the caller.
      const free = store === 'sqlite';
      if (free)
        assert.throws(
          () =>
            sqliteAtOnce(db, (atOnce) => {
              insertLimit.now(atOnce, 'first');
              insertLimit.now(atOnce, 'first');
            }),
          /UNIQUE/,
        );
      assert.deepEqual(await limitByKey(db, 'first'), [], 'the failed transaction left nothing');
      const done = sqliteAtOnce(db, (atOnce) => {
        insertLimit.now(atOnce, 'a');
        assert.deepEqual(limitByKey.now(atOnce, 'a'), [{ key: 'a', hits: 1 }], 'its own write is seen');
        insertLimit.now(atOnce, 'b');
      });
      assert.equal(done, free, 'PostgreSQL never runs at once: the caller takes its Kysely path');
      assert.equal((await limitByKey(db, 'a')).length + (await limitByKey(db, 'b')).length, free ? 2 : 0);
      // The connection is free again afterwards: a Kysely transaction still works.
      await db.transaction().execute((trx) => limitByKey(trx, 'a'));
    } finally {
      await m.close();
    }
  });

  test('a statement that fails answers a rejected promise, never a throw at the call, and the next one runs', async () => {
    const m = await startMamori(store);
    try {
      const { db } = m.deps;
      await insertLimit(db, 'twice');
      let answer: Promise<unknown[]> | undefined;
      assert.doesNotThrow(() => {
        answer = insertLimit(db, 'twice');
      });
      await assert.rejects(answer as Promise<unknown[]>, /unique|duplicate/i);
      assert.deepEqual(await limitByKey(db, 'twice'), [{ key: 'twice', hits: 1 }]);
    } finally {
      await m.close();
    }
  });
});

/**
 * The password step reads the risk engine's signals and writes on them in one transaction run at once
 * (`immediate`): another process sharing the file cannot commit between those reads and the writes.
 */
test('a transaction run at once with `immediate` holds the write lock from its first read; a deferred one does not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-at-once-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'shared.db');
  const store = openStore(`sqlite:${path}`);
  const otherProcess = new SQLite(path);
  try {
    await migrateToLatest(store.db);
    otherProcess.pragma('busy_timeout = 0');
    const otherWrites = () => {
      otherProcess.exec('BEGIN IMMEDIATE');
      otherProcess.exec('ROLLBACK');
    };
    sqliteAtOnce(
      store.db,
      (atOnce) => {
        limitByKey.now(atOnce, 'read first');
        assert.throws(otherWrites, /locked|busy/i, 'nobody else can write between the reads and the writes');
        insertLimit.now(atOnce, 'written on those reads');
      },
      'immediate',
    );
    assert.equal((await limitByKey(store.db, 'written on those reads')).length, 1);
    sqliteAtOnce(store.db, (atOnce) => {
      limitByKey.now(atOnce, 'read first');
      assert.doesNotThrow(otherWrites, 'a deferred transaction that has only read holds no write lock');
    });
  } finally {
    otherProcess.close();
    await store.close();
  }
});
