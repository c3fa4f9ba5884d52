import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { formatTime, formatYen } from '../../examples/shop/formats.ts';
import { exampleShopFiles } from '../../src/cli/example-shop-files.ts';

test("the example shop's data sits beside Mamori's database, one shop per database, never in ./data by default", () => {
  const first = exampleShopFiles('sqlite:/srv/a/mamori.sqlite');
  assert.deepEqual(first, {
    database: '/srv/a/mamori-example-shop.db',
    client: '/srv/a/mamori-example-shop-client.json',
  });
  // Two instances from one checkout, each with its own database file, even in one folder.
  const second = exampleShopFiles('sqlite:/srv/a/second.sqlite');
  assert.notEqual(second.database, first.database);
  assert.notEqual(second.client, first.client);
  assert.equal(exampleShopFiles('sqlite:./data/mamori.sqlite').database, resolve('data/mamori-example-shop.db'));

  // PostgreSQL: a folder of its own per database (and never a password in a path).
  const pg = exampleShopFiles('postgres://mamori:hunter2@db.example:5432/shop_one', '/tmp');
  const other = exampleShopFiles('postgres://mamori:hunter2@db.example:5432/shop_two', '/tmp');
  const again = exampleShopFiles('postgres://mamori:rotated@db.example:5432/shop_one', '/tmp');
  assert.notEqual(pg.database, other.database);
  assert.equal(pg.database, again.database, 'a new password is the same database');
  assert.ok(pg.database.startsWith('/tmp/mamori-example-shop-'));
  assert.doesNotMatch(pg.database + pg.client, /hunter2|db\.example/);
  assert.notEqual(exampleShopFiles('sqlite::memory:', '/tmp').database, '/tmp/:memory:');
});

test("times are in the shop's zone and the reader's language, never raw UTC; yen as the locale writes them", () => {
  const at = new Date('2026-12-09T09:52:55.000Z');
  assert.equal(formatTime('ja', 'Asia/Tokyo', at), '2026年12月9日 18:52 JST');
  assert.equal(formatTime('en', 'Asia/Tokyo', at), '9 Dec 2026, 18:52 GMT+9');
  assert.equal(formatTime('en', 'Europe/Paris', at), '9 Dec 2026, 10:52 CET');
  assert.equal(formatYen('en', 50_000), '¥50,000');
  assert.equal(formatYen('ja', 1800), '￥1,800');
});
