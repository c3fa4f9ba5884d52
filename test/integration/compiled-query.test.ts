import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import { compiledOnce } from '../../src/store/compiled-query.ts';
import type { Executor } from '../../src/store/database.ts';
import { forEachStore, startMamori } from '../support/harness.ts';

const limitByKey = compiledOnce((db: Executor, key: string) =>
  db.selectFrom('rate_limits').select(['key', 'hits']).where('key', '=', key),
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
});
