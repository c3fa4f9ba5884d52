import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { arrayLiteral, bulkInsert, bulkInsertAll, bulkRows } from '../../src/store/bulk-insert.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';

const AWKWARD = ['plain', '', 'quote " inside', 'back\\slash', 'tab\tand\nnewline', 'NULL', '{a,b}', '東京都 🐈'];

test('an array literal is JSON between braces only while its escapes mean the same to PostgreSQL', () => {
  assert.equal(arrayLiteral(['a', null, 'b "c" \\ d', 12]), '{"a",null,"b \\"c\\" \\\\ d",12}');
  assert.deepEqual(arrayLiteral(['line\nbreak']), ['line\nbreak']);
  assert.deepEqual(arrayLiteral(['lone \ud800 surrogate']), ['lone \ud800 surrogate']);
  assert.equal(arrayLiteral(['\\n is two characters']), '{"\\\\n is two characters"}');
  assert.deepEqual(arrayLiteral(['a', true]), ['a', true]);
  assert.deepEqual(arrayLiteral([1.5]), [1.5]);
});

forEachStore('Bulk inserts', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store);
  });
  afterEach(async () => {
    await m.close();
  });

  test('every value comes back as it went in: quotes, backslashes, control characters, the word NULL, nulls, one value in every row', async () => {
    const rows = AWKWARD.map((text, i) => ({
      id: `acct-${i}`,
      email: `a${i}@example.com`,
      name: text,
      phone: i % 2 === 0 ? null : text,
      locale: 'en',
      status: 'active',
      created_at: '2026-03-02T05:46:00.000Z',
      updated_at: '2026-03-02T05:46:00.000Z',
      log_seq: i,
      log_head: 'x'.repeat(64),
    }));
    const columns = {
      id: 'text',
      email: 'text',
      name: 'text',
      phone: 'text',
      locale: 'text',
      status: 'text',
      created_at: 'text',
      updated_at: 'text',
      log_seq: 'integer',
      log_head: 'text',
    } as const;
    await bulkInsert(m.deps.db, 'accounts', columns, rows);
    await bulkInsert(m.deps.db, 'accounts', columns, [
      { ...(rows[0] as (typeof rows)[number]), id: 'alone', email: 'alone@example.com' },
    ]);
    const back = await m.deps.db
      .selectFrom('accounts')
      .select(['id', 'name', 'phone', 'log_seq', 'locale'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      back.map((r) => ({ ...r, log_seq: Number(r.log_seq) })),
      [
        { id: 'acct-0', name: 'plain', phone: null, log_seq: 0, locale: 'en' },
        ...rows.slice(1).map((r) => ({ id: r.id, name: r.name, phone: r.phone, log_seq: r.log_seq, locale: 'en' })),
        { id: 'alone', name: 'plain', phone: null, log_seq: 0, locale: 'en' },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
  });

  const account = (id: string) => ({
    id,
    email: `${id}@example.com`,
    name: 'Hana Sato',
    locale: 'ja',
    status: 'active',
    created_at: '2026-03-02T05:46:00.000Z',
    updated_at: '2026-03-02T05:46:00.000Z',
  });
  const ACCOUNT = {
    id: 'text',
    email: 'text',
    name: 'text',
    locale: 'text',
    status: 'text',
    created_at: 'text',
    updated_at: 'text',
  } as const;
  const SHOP_ID = { client_id: 'text', shop_customer_id: 'text', account_id: 'text', imported_at: 'text' } as const;
  const shopId = (accountId: string, n: number) => ({
    client_id: 'maple-shop',
    shop_customer_id: `M${n}`,
    account_id: accountId,
    imported_at: '2026-03-02T05:46:00.000Z',
  });

  test('several tables at once: children of accounts made in the same call land, the shared ids sent once', async () => {
    await bulkInsertAll(m.deps.db, [
      bulkRows('accounts', ACCOUNT, [account('a1'), account('a2')]),
      bulkRows('imported_customer_ids', SHOP_ID, [shopId('a1', 1), shopId('a2', 2)]),
      bulkRows('payment_methods', { id: 'text' }, []),
    ]);
    const ids = await m.deps.db
      .selectFrom('imported_customer_ids')
      .select(['shop_customer_id', 'account_id'])
      .orderBy('shop_customer_id')
      .execute();
    assert.deepEqual(ids, [
      { shop_customer_id: 'M1', account_id: 'a1' },
      { shop_customer_id: 'M2', account_id: 'a2' },
    ]);
  });

  test('several tables at once still check every foreign key: a child of no account fails the whole call', async () => {
    await assert.rejects(
      m.deps.db
        .transaction()
        .execute((trx) =>
          bulkInsertAll(trx, [
            bulkRows('accounts', ACCOUNT, [account('a1')]),
            bulkRows('imported_customer_ids', SHOP_ID, [shopId('a1', 1), shopId('nobody', 2)]),
          ]),
        ),
      /foreign key|FOREIGN KEY/,
    );
    const left = await m.deps.db.selectFrom('accounts').select('id').execute();
    assert.deepEqual(left, []);
  });
});
