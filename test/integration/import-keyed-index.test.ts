import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { neededKey, parseImportedHash } from '../../src/platform/legacy-hashes/index.ts';
import { FORMATS_NEEDING } from '../../src/services/import/import-keys.ts';
import { KEYED_FORMATS, countImportedInFormatsQuery } from '../../src/store/imported-accounts.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { legacyCustomers } from '../support/import-fixtures.ts';

test('every format that needs a shop key is one the partial index holds (else its key would be dropped while needed)', () => {
  const { customers } = legacyCustomers();
  const needing = customers.filter((c) => {
    const parsed = parseImportedHash(c.format, c.hash, c.salt);
    assert.ok(parsed.ok, c.format);
    return neededKey(parsed.hash) !== null;
  });
  assert.ok(needing.length > 0);
  for (const c of needing) assert.ok((KEYED_FORMATS as readonly string[]).includes(c.format), c.format);
  for (const formats of Object.values(FORMATS_NEEDING))
    for (const format of formats) assert.ok((KEYED_FORMATS as readonly string[]).includes(format), format);
});

forEachStore('The keyed-format index of imported passwords', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store);
  });
  afterEach(async () => {
    await m.close();
  });

  test('answers whether a shop still needs its key (the count uses it, not a scan)', async () => {
    const query = countImportedInFormatsQuery(m.deps.db, 'maple-shop', FORMATS_NEEDING.eccubeAuthMagic).compile();
    const plan = await m.deps.db.transaction().execute(async (trx) => {
      if (store === 'postgres') await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const explain = store === 'postgres' ? 'EXPLAIN ' : 'EXPLAIN QUERY PLAN ';
      const result = await trx.executeQuery(CompiledQuery.raw(explain + query.sql, [...query.parameters]));
      return JSON.stringify(result.rows);
    });
    assert.match(plan, /imported_passwords_keyed/);
  });
});
