import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { importRowFor, legacyCustomers, type LegacyCustomer } from '../support/import-fixtures.ts';
import { registerShop, startIssuer, type TestShop } from '../support/oidc.ts';
import { callApi, shopApiToken } from '../support/ssf.ts';

const PATH = '/api/v1/accounts:import';
const bcrypt = legacyCustomers().customers.find((c) => c.format === 'bcrypt') as LegacyCustomer;

forEachStore('POST /api/v1/accounts:import', (store) => {
  let m: TestMamori & { issuer: string };
  let shop: TestShop;
  let hostile: TestShop;
  beforeEach(async () => {
    m = await startIssuer(store);
    shop = await registerShop(m);
    hostile = await registerShop(m, { name: 'Hostile Shop' });
  });
  afterEach(() => m.close());

  test('a shop imports a batch as itself; a rerun imports nothing twice; bad rows are refused by index', async () => {
    const token = await shopApiToken(m.issuer, shop, 'accounts:import');
    const body = { rows: [importRowFor(bcrypt), { shopCustomerId: 'X', email: 'nope' }] };
    const first = await callApi(m.issuer, token, 'POST', PATH, body);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual((first.body as { imported: number }).imported, 1);
    assert.deepEqual(
      (first.body as { refused: { line: number }[] }).refused.map((r) => r.line),
      [2],
    );
    const again = await callApi(m.issuer, token, 'POST', PATH, body);
    assert.equal((again.body as { alreadyImported: number }).alreadyImported, 1);
    const ids = await m.deps.db.selectFrom('imported_customer_ids').selectAll().execute();
    assert.deepEqual(
      ids.map((r) => r.client_id),
      [shop.clientId],
      'the id belongs to the calling shop',
    );
  });

  test('a shop cannot learn which addresses Mamori knows by importing them: a known and an unknown address answer alike', async () => {
    const own = await shopApiToken(m.issuer, shop, 'accounts:import');
    assert.equal((await callApi(m.issuer, own, 'POST', PATH, { rows: [importRowFor(bcrypt)] })).status, 200);
    const probe = await shopApiToken(m.issuer, hostile, 'accounts:import');
    const known = importRowFor({ ...bcrypt, shopCustomerId: 'probe-1' });
    const unknown = importRowFor({ ...bcrypt, shopCustomerId: 'probe-2', email: 'stranger@example.com' });
    for (const dryRun of [true, false]) {
      const a = await callApi(m.issuer, probe, 'POST', PATH, { rows: [known], dryRun });
      const b = await callApi(m.issuer, probe, 'POST', PATH, { rows: [unknown], dryRun });
      assert.equal(a.status, 200);
      assert.deepEqual(a.body, b.body, `dry run ${dryRun}: the same answer for a known and an unknown address`);
      assert.deepEqual(Object.keys(a.body as object).sort(), [
        'alreadyImported',
        'duplicates',
        'imported',
        'refused',
        'rows',
      ]);
    }
  });

  test('without the scope, without a token, or with a malformed body: refused with a 4xx, nothing written', async () => {
    const other = await shopApiToken(m.issuer, hostile, 'account:read');
    const body = { rows: [importRowFor(bcrypt)] };
    assert.equal((await callApi(m.issuer, other, 'POST', PATH, body)).status, 403);
    assert.equal((await callApi(m.issuer, null, 'POST', PATH, body)).status, 401);
    const token = await shopApiToken(m.issuer, hostile, 'accounts:import');
    assert.equal((await callApi(m.issuer, token, 'POST', PATH, { rows: [] })).status, 400);
    assert.equal((await callApi(m.issuer, token, 'POST', PATH, { rows: 'all of them' })).status, 400);
    const count = await m.deps.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 0);
  });
});
