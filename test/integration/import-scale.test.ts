import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { importAccounts } from '../../src/services/import/import-accounts.ts';
import { signIn } from '../../src/services/sign-in/password-step.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { legacyCustomers, mixedImportRows } from '../support/import-fixtures.ts';

const SHOP = 'maple-shop';
const COUNT = 10_000;
const { customers, keys } = legacyCustomers();

forEachStore('Importing 10,000 customers of every format', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store);
  });
  afterEach(async () => {
    await m.close();
  });

  const count = async (
    table: 'accounts' | 'imported_customer_ids' | 'imported_passwords' | 'addresses' | 'account_log',
  ) =>
    Number(
      (
        await m.deps.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  test('all of them arrive, counted by format; a sample of each format signs in through the service', async () => {
    const rows = mixedImportRows(COUNT, customers);
    const report = await importAccounts(
      m.deps,
      rows.map((value, i) => ({ line: i + 1, value })),
      { clientId: SHOP, dryRun: false, keys },
    );
    assert.deepEqual(report.refused, []);
    assert.equal(report.imported, COUNT);
    const expected: Record<string, number> = {};
    for (const row of rows) {
      const format = (row.password as { format: string } | undefined)?.format ?? 'none';
      expected[format] = (expected[format] ?? 0) + 1;
    }
    assert.deepEqual(report.byFormat, expected);
    assert.ok(Object.keys(expected).length >= 15, `every format is in the file (${Object.keys(expected).length})`);
    assert.equal(await count('accounts'), COUNT);
    assert.equal(await count('imported_customer_ids'), COUNT);
    assert.equal(await count('imported_passwords'), COUNT);
    assert.equal(await count('account_log'), COUNT, 'one "imported" entry each');
    assert.equal(await count('addresses'), Math.ceil(COUNT / 7));

    // The last account of each format in the file (from the last batch), its right and a wrong password.
    const sampled = new Set<string>();
    for (let i = COUNT - 1; i >= 0 && sampled.size < customers.length; i -= 1) {
      const row = rows[i] as { email: string; password?: { format: string } };
      const c = customers[i % customers.length];
      if (!row.password || !c || sampled.has(c.format)) continue;
      sampled.add(c.format);
      // One network address per customer, so the per-address throttle stays out of the way.
      const origin = { ip: `192.0.2.${sampled.size}`, userAgent: 'test', deviceId: null };
      await assert.rejects(
        signIn(m.deps, { email: row.email, password: c.wrongPassword }, origin),
        /INVALID_CREDENTIALS/,
        `${c.format}: wrong password`,
      );
      const result = await signIn(m.deps, { email: row.email, password: c.password }, origin);
      assert.ok(['signed-in', 'second-step'].includes(result.kind), `${c.format}: the right password passes`);
    }
    assert.equal(sampled.size, new Set(customers.map((c) => c.format)).size, 'every format was tried');
    assert.equal(await count('imported_passwords'), COUNT - sampled.size, 'the sampled hashes migrated, no others');
  });
});
