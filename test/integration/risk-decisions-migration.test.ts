import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { openStore, type Store } from '../../src/store/database.ts';
import { migrateToLatest, migrateUpTo } from '../../src/store/migrate.ts';
import { databaseUrlFor, forEachStore } from '../support/harness.ts';

const account = (id: string) => ({
  id,
  email: `${id}@example.jp`,
  name: id,
  locale: 'ja',
  status: 'active',
  created_at: '2026-03-01T00:00:00.000Z',
  updated_at: '2026-03-01T00:00:00.000Z',
});

const decision = (id: string, accountId: string | null, createdAt: string, decided = 'allow') => ({
  id,
  account_id: accountId,
  action: 'sign-in',
  decision: decided,
  score: 10,
  reasons: '[{"code":"new-device","weight":10}]',
  ip: '203.0.113.5',
  country: 'JP',
  device_id: null,
  created_at: createdAt,
});

forEachStore('risk decisions kept by account (migration 0025)', (store) => {
  let s: Store;
  before(async () => {
    s = openStore(await databaseUrlFor(store));
    await migrateUpTo(s.db, '0024-imported-passwords-keyed-index');
    const db = s.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    await db
      .insertInto('accounts')
      .values([account('a1'), account('a2')])
      .execute();
    await db
      .insertInto('risk_decisions')
      .values([
        decision('d1', 'a1', '2026-03-01T10:00:00.000Z'),
        decision('d2', 'a2', '2026-03-01T10:00:00.000Z', 'deny'),
        decision('d3', 'a1', '2026-03-01T10:00:00.000Z', 'challenge'),
        decision('d4', null, '2026-03-01T11:00:00.000Z'),
      ])
      .execute();
    await migrateToLatest(s.db);
  });
  after(() => s.close());

  it('keeps every decision written before, with its columns', async () => {
    const rows = await s.db.selectFrom('risk_decisions').selectAll().orderBy('id').execute();
    assert.deepEqual(
      rows.map((r) => [r.id, r.account_id, r.decision, r.created_at, r.reasons, r.score, r.ip, r.country]),
      [
        [
          'd1',
          'a1',
          'allow',
          '2026-03-01T10:00:00.000Z',
          '[{"code":"new-device","weight":10}]',
          10,
          '203.0.113.5',
          'JP',
        ],
        [
          'd2',
          'a2',
          'deny',
          '2026-03-01T10:00:00.000Z',
          '[{"code":"new-device","weight":10}]',
          10,
          '203.0.113.5',
          'JP',
        ],
        [
          'd3',
          'a1',
          'challenge',
          '2026-03-01T10:00:00.000Z',
          '[{"code":"new-device","weight":10}]',
          10,
          '203.0.113.5',
          'JP',
        ],
        ['d4', '', 'allow', '2026-03-01T11:00:00.000Z', '[{"code":"new-device","weight":10}]', 10, '203.0.113.5', 'JP'],
      ],
    );
  });

  it('keeps two decisions of one account at the same moment, and refuses the same one twice', async () => {
    const again = { ...decision('d1', 'a1', '2026-03-01T10:00:00.000Z'), account_id: 'a1' };
    await assert.rejects(s.db.insertInto('risk_decisions').values(again).execute());
    await s.db
      .insertInto('risk_decisions')
      .values({ ...again, id: 'd5' })
      .execute();
    const mine = await s.db.selectFrom('risk_decisions').select('id').where('account_id', '=', 'a1').execute();
    assert.deepEqual(mine.map((r) => r.id).sort(), ['d1', 'd3', 'd5']);
  });

  it('has the account and time as its key and no other index', async () => {
    if (store === 'sqlite') {
      const indexes = await sql<{ name: string }>`SELECT name FROM sqlite_master
        WHERE type = 'index' AND tbl_name = 'risk_decisions'`.execute(s.db);
      assert.deepEqual(indexes.rows, []);
      const table = await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE name = 'risk_decisions'`.execute(
        s.db,
      );
      assert.match(table.rows[0]?.sql ?? '', /PRIMARY KEY \(account_id, created_at, id\)\s*\)\s*WITHOUT ROWID/);
    } else {
      const indexes = await sql<{ indexdef: string }>`SELECT indexdef FROM pg_indexes
        WHERE tablename = 'risk_decisions'`.execute(s.db);
      assert.equal(indexes.rows.length, 1);
      assert.match(
        indexes.rows[0]?.indexdef ?? '',
        /UNIQUE INDEX risk_decisions_pkey .*\(account_id, created_at, id\)/,
      );
    }
  });
});
