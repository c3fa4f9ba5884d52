import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { addClient } from '../../src/services/oidc/clients.ts';
import { importAccounts } from '../../src/services/import/import-accounts.ts';
import { findAccountByEmail } from '../../src/store/accounts.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';
import { registerAndVerify, signIn, staffSignedIn } from '../support/flows.ts';
import { importRowFor, woocommerceCustomers } from '../support/import-fixtures.ts';

const { short } = woocommerceCustomers();
const caseText = (body: string) => /data-testid="case-imported">([\s\S]*?)<\/dd>/.exec(body)?.[1] ?? '';

/** Issue 26: support sees where an imported account came from, and its hash until it is moved. */
forEachStore('The staff case of an imported account', (store) => {
  let m: TestMamori;
  let agent: TestClient;
  beforeEach(async () => {
    m = await startMamori(store);
    const { client } = await addClient(m.deps, {
      name: 'Hanamizuki Tea (WooCommerce)',
      redirectUris: ['http://localhost:3001/callback'],
      postLogoutRedirectUris: [],
      firstParty: true,
    });
    const rows = [
      importRowFor(short),
      { shopCustomerId: 'sh-7', email: 'no-hash@example.com', name: 'Mei Ito', emailVerified: true },
    ];
    const report = await importAccounts(
      m.deps,
      rows.map((value, i) => ({ line: i + 1, value })),
      { clientId: client.clientId, dryRun: false },
    );
    assert.equal(report.imported, 2, JSON.stringify(report.refused));
    agent = await staffSignedIn(m, 'agent');
  });
  afterEach(async () => {
    await m.close();
  });

  const casePage = async (email: string, language = 'en') => {
    const account = await findAccountByEmail(m.deps.db, email);
    assert.ok(account);
    const res = await agent.get(`/staff/accounts/${account.id}`, { 'accept-language': language });
    assert.equal(res.statusCode, 200);
    return caseText(res.body);
  };

  test('imported on … from the shop, with the hash format, in both languages; after her first sign-in, moved to Mamori’s hashing', async () => {
    const en = await casePage(short.email);
    assert.match(en, /Imported on .+ from Hanamizuki Tea \(WooCommerce\)/);
    assert.match(en, /still the shop’s own hash \(phpass\)/);
    const ja = await casePage(short.email, 'ja');
    assert.match(ja, /にHanamizuki Tea \(WooCommerce\)からインポート/);
    assert.match(ja, /ショップ側のハッシュ（phpass）のまま/);

    assert.equal((await signIn(m, short.email, short.password)).res.statusCode, 303);
    const after = await casePage(short.email);
    assert.match(after, /Imported on .+ from Hanamizuki Tea/, 'where she came from stays');
    assert.doesNotMatch(after, /phpass/, 'the format is gone with the hash');
    assert.match(after, /moved to Mamori’s hashing \(argon2id\)/);
    assert.match(await casePage(short.email, 'ja'), /Mamoriのハッシュ方式（argon2id）へ移しました/);
  });

  test('imported without a password says so; an account that registered here says nothing of an import', async () => {
    assert.match(await casePage('no-hash@example.com'), /none came with the account/);
    assert.match(await casePage('no-hash@example.com', 'ja'), /インポート時にありませんでした/);
    const mei = new TestClient(m.app);
    await mei.get('/forgot-password');
    await mei.post('/forgot-password', { email: 'no-hash@example.com' });
    await m.deliver();
    const token = new URL(m.mailer.link('no-hash@example.com', '/first-password/set')).searchParams.get('token') ?? '';
    await mei.get(`/first-password/set?token=${token}`);
    assert.equal((await mei.post('/first-password/passkey', { token })).statusCode, 303);
    assert.match(await casePage('no-hash@example.com'), /Password: none; she opened the account by the mailed link/);
    await registerAndVerify(m, 'native@example.com');
    assert.equal(await casePage('native@example.com'), '');
  });
});
