import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { databaseUrlFor, forEachStore } from '../support/harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'mamori-wal-checkpointer-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const HOUR = 3_600_000;

/** Frames in the WAL and how many of them are in the database file, as the server's own connection sees them. */
async function walFrames(db: ReturnType<typeof openStore>['db']): Promise<{ log: number; checkpointed: number }> {
  // A PASSIVE checkpoint of nothing new copies nothing; with the frames all copied it answers log = checkpointed.
  const { rows } = await sql<{ log: number; checkpointed: number }>`PRAGMA wal_checkpoint(PASSIVE)`.execute(db);
  return rows[0] ?? { log: -1, checkpointed: -1 };
}

test("a SQLite file's WAL is copied into the database by the checkpoint thread, not by the writer", async () => {
  const store = openStore(`sqlite:${join(dir, 'copied.db')}`, { checkpointEveryMs: HOUR });
  try {
    await migrateToLatest(store.db);
    await sql`PRAGMA wal_autocheckpoint = 0`.execute(store.db);
    await sql`CREATE TABLE filler (n INTEGER PRIMARY KEY, text TEXT NOT NULL)`.execute(store.db);
    for (let i = 0; i < 200; i += 1)
      await sql`INSERT INTO filler (n, text) VALUES (${i}, ${'x'.repeat(2000)})`.execute(store.db);
    assert.ok(store.checkpointer, 'a file store asked for checkpoints has the thread');
    const result = await store.checkpointer.checkpoint();
    assert.ok(!('error' in result), JSON.stringify(result));
    assert.ok(result.log > 100, `the WAL held the writes (${result.log} frames)`);
    assert.equal(result.checkpointed, result.log, 'every frame is in the database file');
    // The writer's own connection sees the same: nothing was left for it to copy.
    const seen = await walFrames(store.db);
    assert.equal(seen.checkpointed, seen.log);
  } finally {
    await store.close();
  }
});

test('closing the store ends the checkpoint thread; asking it afterwards answers at once', async () => {
  const store = openStore(`sqlite:${join(dir, 'closed.db')}`, { checkpointEveryMs: HOUR });
  const checkpointer = store.checkpointer;
  assert.ok(checkpointer);
  await store.close();
  assert.deepEqual(await checkpointer.checkpoint(), { error: 'the checkpoint thread has stopped' });
});

forEachStore('the WAL checkpoint thread', (store) => {
  test('no thread for a store in memory, on PostgreSQL, or when none is asked for', async () => {
    const urls =
      store === 'sqlite' ? ['sqlite::memory:', `sqlite:${join(dir, 'plain.db')}`] : [await databaseUrlFor(store)];
    for (const url of urls) {
      const opened = openStore(url, url.endsWith('plain.db') ? {} : { checkpointEveryMs: HOUR });
      try {
        assert.equal(opened.checkpointer, undefined, url.replace(/\/\/.*@/, '//…@'));
      } finally {
        await opened.close();
      }
    }
  });
});
