import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { importAccounts } from '../../src/services/import/import-accounts.ts';
import { verifyAccountLogs } from '../../src/services/account-log/change-log.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { registerAndVerify } from '../support/flows.ts';
import { importRowFor, legacyCustomers } from '../support/import-fixtures.ts';

const SHOP = 'maple-shop';
const OTHER_SHOP = 'another-shop';
const lines = (values: unknown[]) => values.map((value, i) => ({ line: i + 1, value }));

async function counts(m: TestMamori) {
  const n = async (
    table:
      | 'accounts'
      | 'addresses'
      | 'payment_methods'
      | 'account_log'
      | 'imported_customer_ids'
      | 'imported_passwords'
      | 'import_keys',
  ) =>
    Number(
      (
        await m.deps.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    accounts: await n('accounts'),
    addresses: await n('addresses'),
    cards: await n('payment_methods'),
    log: await n('account_log'),
    ids: await n('imported_customer_ids'),
    passwords: await n('imported_passwords'),
    keys: await n('import_keys'),
  };
}

forEachStore('importing a shop’s customers', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store);
  });
  afterEach(async () => {
    await m.close();
  });

  const { customers, keys } = legacyCustomers();
  const mixed = () => [
    ...customers.map((c, i) =>
      importRowFor(
        c,
        i === 0
          ? {
              phone: '+81 90 1234 5678',
              addresses: [
                {
                  recipient: 'Hana Sato',
                  postalCode: '150-0001',
                  region: 'Tokyo',
                  city: 'Shibuya',
                  line1: '1-2-3 Jingumae',
                  country: 'JP',
                },
              ],
              paymentMethods: [
                { processorToken: 'pm_1Abc', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 },
              ],
            }
          : {},
      ),
    ),
    { shopCustomerId: 'S1', email: 'no-password@example.com', name: 'Shopify customer' },
    { shopCustomerId: 'BAD1', email: 'not an address' },
    {
      shopCustomerId: 'BAD2',
      email: 'card@example.com',
      paymentMethods: [
        { processorToken: '4242 4242 4242 4242', brand: 'visa', last4: '4242', expMonth: 1, expYear: 2030 },
      ],
    },
    { shopCustomerId: 'BAD3', email: 'odd@example.com', password: { format: 'bcrypt', hash: '$2y$10$short' } },
    { ...importRowFor(customers[1] as (typeof customers)[number]), email: 'twice@example.com' },
  ];

  test('a mixed file imports: each format counted, bad rows refused by line and reason, a repeated shop id skipped; no mail, no hashing', async () => {
    const report = await importAccounts(m.deps, lines(mixed()), { clientId: SHOP, dryRun: false, keys, batch: 7 });
    assert.equal(report.imported, customers.length + 1);
    assert.equal(report.byFormat.none, 1);
    assert.equal(report.byFormat.bcrypt, customers.filter((c) => c.format === 'bcrypt').length);
    assert.deepEqual(
      report.refused.map((r) => r.line),
      [customers.length + 2, customers.length + 3, customers.length + 4],
    );
    assert.match(report.refused[1]?.reason ?? '', /paymentMethods\.0\.processorToken: looks like a full card number/);
    assert.match(report.refused[2]?.reason ?? '', /^password: MALFORMED_HASH/);
    assert.deepEqual(report.duplicates, [
      { line: customers.length + 5, of: `shopCustomerId ${customers[1]?.shopCustomerId}` },
    ]);
    const after = await counts(m);
    assert.equal(after.accounts, customers.length + 1);
    assert.equal(after.log, customers.length + 1, 'one "imported" entry per account');
    assert.equal(after.addresses, 1);
    assert.equal(after.cards, 1);
    assert.equal(after.keys, 2, 'AUTH_MAGIC and the Firebase signer key are kept, sealed');
    const sealed = await m.deps.db.selectFrom('import_keys').select('sealed').execute();
    for (const { sealed: value } of sealed)
      assert.ok(!value.includes(keys.eccubeAuthMagic as string) && value.startsWith('v1.'));
    const stored = await m.deps.db.selectFrom('accounts').select(['password_hash', 'email_verified_at']).execute();
    assert.ok(
      stored.every((a) => a.password_hash === null),
      'nothing hashed at import',
    );
    await m.deliver();
    assert.equal(m.mailer.sent.length, 0, 'no mail to anyone');
    const verification = await verifyAccountLogs(m.deps.db);
    assert.deepEqual(verification.broken, []);
    const first = await m.deps.db
      .selectFrom('account_log')
      .selectAll()
      .where('kind', '=', 'imported')
      .orderBy('occurred_at')
      .execute();
    const withAddress = first.find((e) => (e.after_value ?? '').includes('+81 90 1234 5678'));
    assert.ok(withAddress, 'the imported entry holds what was imported');
    assert.equal(withAddress.actor_type, 'system');
  });

  test('a dry run counts the same and changes nothing; a rerun after a partial run imports each account exactly once', async () => {
    const dry = await importAccounts(m.deps, lines(mixed()), { clientId: SHOP, dryRun: true, keys });
    assert.equal(dry.imported, customers.length + 1);
    assert.equal(dry.refused.length, 3);
    assert.deepEqual(await counts(m), { accounts: 0, addresses: 0, cards: 0, log: 0, ids: 0, passwords: 0, keys: 0 });

    // A run killed after its first batches: only whole batches landed.
    await importAccounts(m.deps, lines(mixed().slice(0, 10)), { clientId: SHOP, dryRun: false, keys, batch: 5 });
    const again = await importAccounts(m.deps, lines(mixed()), { clientId: SHOP, dryRun: false, keys, batch: 5 });
    assert.equal(again.alreadyImported, 10);
    assert.equal(again.imported, customers.length + 1 - 10);
    const after = await counts(m);
    assert.equal(after.accounts, customers.length + 1);
    assert.equal(after.ids, customers.length + 1);
    assert.equal(after.log, customers.length + 1);
  });

  test('another shop importing an address already in Mamori adds its id to that account and changes nothing else', async () => {
    await registerAndVerify(m, 'hana@example.com');
    const before = await m.deps.db
      .selectFrom('accounts')
      .selectAll()
      .where('email', '=', 'hana@example.com')
      .executeTakeFirstOrThrow();
    const c = customers[0] as (typeof customers)[number];
    const report = await importAccounts(
      m.deps,
      lines([importRowFor(c, { email: 'Hana@Example.com', name: 'Someone Else', shopCustomerId: 'X9' })]),
      { clientId: OTHER_SHOP, dryRun: false },
    );
    assert.equal(report.existingAddress, 1);
    assert.equal(report.imported, 0);
    const after = await m.deps.db
      .selectFrom('accounts')
      .selectAll()
      .where('email', '=', 'hana@example.com')
      .executeTakeFirstOrThrow();
    assert.deepEqual(after, before, 'the hostile shop cannot change her name or password');
    assert.equal((await counts(m)).passwords, 0, 'no imported hash beside her own password');
    const ids = await m.deps.db.selectFrom('imported_customer_ids').selectAll().execute();
    assert.deepEqual(
      ids.map((r) => [r.client_id, r.shop_customer_id, r.account_id]),
      [[OTHER_SHOP, 'X9', before.id]],
    );
  });

  test('a row whose format needs a shop key that was never given is refused', async () => {
    const eccube = customers.find((c) => c.format === 'eccube') as (typeof customers)[number];
    const report = await importAccounts(m.deps, lines([importRowFor(eccube)]), { clientId: SHOP, dryRun: false });
    assert.equal(report.imported, 0);
    assert.match(report.refused[0]?.reason ?? '', /needs the shop key "eccubeAuthMagic"/);
  });
});
