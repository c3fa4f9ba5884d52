import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Kysely } from 'kysely';
import { importAccounts } from '../../src/services/import/import-accounts.ts';
import { queueSecurityEvents } from '../../src/services/ssf/security-events.ts';
import { up as importedShopCustomers } from '../../src/store/migrations/0023-imported-shop-customers.ts';
import { registerAndVerify } from '../support/flows.ts';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { registerShop, startIssuer, type TestShop } from '../support/oidc.ts';
import { callApi, shopApiToken } from '../support/ssf.ts';

const IMPORTED = 'imported@example.com';
const NATIVE = 'native@example.com';
const NEW_ADDRESS = 'new-address@example.com';

/**
 * Issue 26 with issue 24's rule: an account a partner shop's import created is that shop's customer
 * before she ever signs in there; a shop that only named an address already in Mamori gains nothing.
 */
forEachStore('Imported accounts and what the importing shop hears', (store) => {
  let m: TestMamori & { issuer: string };
  beforeEach(async () => {
    m = await startIssuer(store);
  });
  afterEach(async () => {
    await m.close();
  });

  async function streamOf(shop: TestShop) {
    const token = await shopApiToken(m.issuer, shop);
    const created = await callApi(m.issuer, token, 'POST', '/api/v1/ssf/stream', {
      delivery: { method: 'urn:ietf:rfc:8936' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return async () => {
      const res = await callApi(m.issuer, token, 'POST', '/api/v1/ssf/poll', { maxEvents: 100 });
      const sets = Object.values((res.body as { sets: Record<string, string> }).sets);
      return sets.map(
        (set) =>
          JSON.parse(Buffer.from(set.split('.')[1] as string, 'base64url').toString()) as {
            sub_id: Record<string, string>;
            events: Record<string, Record<string, unknown>>;
          },
      );
    };
  }
  const importRow = (shopCustomerId: string, email: string) => ({
    line: 1,
    value: { shopCustomerId, email, emailVerified: true, name: 'Hana Sato' },
  });
  const accountId = async (email: string) =>
    (await m.deps.db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const addressChanged = async (email: string) => {
    const id = await accountId(email);
    await m.deps.db
      .transaction()
      .execute((trx) =>
        queueSecurityEvents(trx, m.deps, [
          { event: { name: 'identifier-changed', accountId: id, oldEmail: email, newEmail: NEW_ADDRESS } },
          { event: { name: 'account-disabled', accountId: id, reason: 'hijacking' } },
        ]),
      );
  };

  test('the importing partner hears of the customer it brought, by the address it gave; a shop naming an existing address hears nothing', async () => {
    const importer = await registerShop(m, { name: 'Importing shop', firstParty: false });
    const namer = await registerShop(m, { name: 'Shop naming addresses', firstParty: false });
    await registerAndVerify(m, NATIVE);
    await importAccounts(m.deps, [importRow('wc-1', IMPORTED)], { clientId: importer.clientId, dryRun: false });
    const named = await importAccounts(m.deps, [importRow('x-1', NATIVE)], { clientId: namer.clientId, dryRun: false });
    assert.equal(named.existingAddress, 1);
    const importerHears = await streamOf(importer);
    const namerHears = await streamOf(namer);

    await addressChanged(IMPORTED);
    await addressChanged(NATIVE);
    const heard = await importerHears();
    assert.equal(heard.length, 2, 'both events about its own customer, none about the other account');
    const [changed, disabled] = heard;
    assert.deepEqual(changed?.sub_id, { format: 'email', email: IMPORTED }, 'named by the address it gave');
    assert.deepEqual(Object.values(changed?.events ?? {})[0], { 'new-value': NEW_ADDRESS });
    assert.deepEqual(disabled?.sub_id, { format: 'iss_sub', iss: m.issuer, sub: await accountId(IMPORTED) });
    assert.deepEqual(await namerHears(), [], 'naming an address in a file makes no one a customer');
  });

  test('migration 0021 makes the accounts earlier imports created their shops’ customers, and no others', async () => {
    const importer = await registerShop(m, { name: 'Importing shop', firstParty: false });
    const namer = await registerShop(m, { name: 'Shop naming addresses', firstParty: false });
    await registerAndVerify(m, NATIVE);
    await importAccounts(m.deps, [importRow('wc-1', IMPORTED)], { clientId: importer.clientId, dryRun: false });
    await importAccounts(m.deps, [importRow('x-1', NATIVE)], { clientId: namer.clientId, dryRun: false });
    await m.deps.db.deleteFrom('shop_customers').execute();
    await importedShopCustomers(m.deps.db as unknown as Kysely<unknown>);
    const rows = await m.deps.db
      .selectFrom('shop_customers')
      .select(['client_id', 'account_id', 'email_granted'])
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.client_id, r.account_id, Number(r.email_granted)]),
      [[importer.clientId, await accountId(IMPORTED), 1]],
    );
  });
});
