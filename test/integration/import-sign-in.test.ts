import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { importAccounts } from '../../src/services/import/import-accounts.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';
import { postSignIn, registerAndVerify, signIn } from '../support/flows.ts';
import { importRowFor, legacyCustomers, type LegacyCustomer } from '../support/import-fixtures.ts';

const SHOP = 'maple-shop';
const { customers, keys } = legacyCustomers();
/** One customer per format (each made by the real software), to keep the run short. */
const onePerFormat = customers.filter((c, i) => customers.findIndex((o) => o.format === c.format) === i);

forEachStore('signing in with a password brought from the shop', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store);
    const rows = [
      ...onePerFormat.map((c) => importRowFor(c)),
      { shopCustomerId: 'S1', email: 'no-password@example.com', name: 'Shopify customer', emailVerified: true },
    ];
    const report = await importAccounts(
      m.deps,
      rows.map((value, i) => ({ line: i + 1, value })),
      { clientId: SHOP, dryRun: false, keys },
    );
    assert.equal(report.imported, rows.length, JSON.stringify(report.refused));
  });
  afterEach(async () => {
    await m.close();
  });

  const stored = (email: string) =>
    m.deps.db
      .selectFrom('accounts')
      .leftJoin('imported_passwords', 'imported_passwords.account_id', 'accounts.id')
      .select(['accounts.password_hash', 'imported_passwords.format', 'imported_passwords.hash'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
  const keyNames = async () =>
    (await m.deps.db.selectFrom('import_keys').select('name').orderBy('name').execute()).map((k) => k.name);

  test('each format: a wrong password is refused; the right one signs in and leaves only argon2id behind; shop keys go once unneeded', async () => {
    assert.deepEqual(await keyNames(), ['eccubeAuthMagic', 'firebase']);
    const order: LegacyCustomer[] = [...onePerFormat].sort((a, b) => a.format.localeCompare(b.format));
    for (const [i, c] of order.entries()) {
      const intruder = new TestClient(m.app);
      intruder.remoteAddress = `198.51.100.${i + 1}`;
      assert.equal((await postSignIn(intruder, c.email, c.wrongPassword)).statusCode, 401, `${c.format}: wrong`);
      assert.ok((await stored(c.email)).hash, `${c.format}: a wrong password migrates nothing`);
      const owner = new TestClient(m.app);
      owner.remoteAddress = `192.0.2.${i + 1}`;
      const { res } = await signIn(m, c.email, c.password, owner);
      assert.equal(res.statusCode, 303, `${c.format}: right password signs in`);
      const after = await stored(c.email);
      assert.match(after.password_hash ?? '', /^\$argon2id\$/, `${c.format}: re-hashed`);
      assert.equal(after.hash, null, `${c.format}: imported hash forgotten`);
      assert.equal(after.format, null);
      const again = await signIn(m, c.email, c.password, owner);
      assert.equal(again.res.statusCode, 303, `${c.format}: signs in again with argon2id`);
    }
    assert.deepEqual(await keyNames(), [], 'no sealed shop key is kept once no account needs it');
  });

  test('a shop key stays while one account of that shop still needs it', async () => {
    const [first, second] = customers.filter((c) => c.format.startsWith('eccube'));
    assert.ok(first && second);
    await importAccounts(
      m.deps,
      [{ line: 1, value: importRowFor(second, { shopCustomerId: 'E2', email: 'e2@example.com' }) }],
      {
        clientId: SHOP,
        dryRun: false,
      },
    );
    const eccubeInFile = onePerFormat.filter((c) => c.format.startsWith('eccube'));
    for (const c of eccubeInFile) assert.equal((await signIn(m, c.email, c.password)).res.statusCode, 303);
    assert.ok((await keyNames()).includes('eccubeAuthMagic'), 'e2@ still needs AUTH_MAGIC');
    assert.equal((await signIn(m, 'e2@example.com', second.password)).res.statusCode, 303);
    assert.ok(!(await keyNames()).includes('eccubeAuthMagic'));
  });

  test('wrong passwords against an imported hash count in the throttle like native ones; unknown addresses look the same', async () => {
    const c = onePerFormat.find((x) => x.format === 'md5-salt-password') as LegacyCustomer;
    const stuffer = new TestClient(m.app);
    await stuffer.get('/sign-in');
    for (let i = 0; i < 5; i += 1) {
      stuffer.remoteAddress = `203.0.113.${i + 1}`;
      assert.equal(
        (await stuffer.post('/sign-in', { email: c.email, password: 'wrong but long guess' })).statusCode,
        401,
      );
    }
    const held = await stuffer.post('/sign-in', { email: c.email, password: c.password });
    assert.equal(held.statusCode, 429, 'even the right password waits on a new browser');
    assert.ok((await stored(c.email)).hash, 'a held attempt migrates nothing');
  });

  test('an intruder who knows a weak imported hash’s password, from a new browser, meets what any new browser meets', async () => {
    await registerAndVerify(m, 'native@example.com');
    const native = await postSignIn(new TestClient(m.app), 'native@example.com');
    const c = onePerFormat.find((x) => x.format === 'sha1-salt-password') as LegacyCustomer;
    const intruder = await postSignIn(new TestClient(m.app), c.email, c.password);
    assert.equal(intruder.statusCode, native.statusCode);
    assert.equal(
      String(intruder.headers.location ?? '').split('?')[0],
      String(native.headers.location ?? '').split('?')[0],
      'the same step as a native account from a new browser',
    );
  });

  test('a customer imported without a password cannot sign in with any password, and answers like an unknown address', async () => {
    const client = new TestClient(m.app);
    const none = await postSignIn(client, 'no-password@example.com', 'anything at all long');
    const unknown = await postSignIn(client, 'nobody@example.com', 'anything at all long');
    assert.equal(none.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
  });
});
