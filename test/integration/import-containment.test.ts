import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { ATTACKER_BROWSER } from '../../src/cli/demo/story.ts';
import { verifyAccountLogs } from '../../src/services/account-log/change-log.ts';
import { importAccounts } from '../../src/services/import/import-accounts.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';
import { importRowFor, legacyCustomers, type LegacyCustomer } from '../support/import-fixtures.ts';
import { ATTACKER, checkedUndo, STORY_ENV } from '../support/story.ts';

const OWNER = 'imported-owner@example.com';
const HOME = {
  recipient: 'Hana Sato',
  postalCode: '150-0001',
  region: 'Tokyo',
  city: 'Shibuya',
  line1: '1-2-3 Jingumae',
  country: 'JP',
};
const bcrypt = legacyCustomers().customers.find((c) => c.format === 'bcrypt') as LegacyCustomer;

forEachStore('a takeover right after the import', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store, STORY_ENV);
    const report = await importAccounts(
      m.deps,
      [{ line: 1, value: importRowFor(bcrypt, { email: OWNER, addresses: [HOME] }) }],
      { clientId: 'maple-shop', dryRun: false },
    );
    assert.equal(report.imported, 1);
  });
  afterEach(async () => {
    await m.close();
  });

  test('is contained back to the imported email and addresses: the "imported" entry is the owner’s baseline', async () => {
    // The intruder has the password from the shop's old database and has not been seen before.
    const attacker = new TestClient(m.app, { 'user-agent': ATTACKER_BROWSER });
    await attacker.get('/sign-in');
    assert.equal((await attacker.post('/sign-in', { email: OWNER, password: bcrypt.password })).statusCode, 303);
    // The password is below the policy: the next page asks for a longer one, and the intruder says "Later".
    await attacker.get('/password-upgrade?returnTo=%2Faccount');
    assert.equal((await attacker.post('/password-upgrade/later', { returnTo: '/account' })).statusCode, 303);
    m.clock.advance(60_000);
    await attacker.get('/account');
    const asked = await attacker.post('/account/email', { newEmail: ATTACKER, currentPassword: bcrypt.password });
    assert.equal(asked.statusCode, 303);
    await m.deliver();
    const confirm = m.mailer.link(ATTACKER, '/confirm-email');
    await attacker.get(pathOf(confirm));
    assert.equal((await attacker.post('/confirm-email', { token: tokenOf(confirm) })).statusCode, 303);
    m.clock.advance(60_000);
    await attacker.get('/account');
    const drop = { ...HOME, recipient: 'Drop', line1: '9-9-9' };
    assert.equal((await attacker.post('/account/addresses', drop)).statusCode, 303);
    await m.deliver();

    const notice = m.mailer.to(OWNER).find((mail) => /email address of your .* account was changed/.test(mail.subject));
    const link = notice?.text.match(/This wasn't me: (\S+)/)?.[1];
    assert.ok(link, 'the imported address is told, with a "This wasn’t me" link');
    const reporter = new TestClient(m.app);
    const page = await reporter.get(pathOf(link));
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Brought over from the shop/, 'the import itself is never offered for undoing');
    const res = await reporter.post('/report', { token: tokenOf(link), undo: checkedUndo(page.body) });
    assert.equal(res.statusCode, 303);

    const account = await m.deps.db.selectFrom('accounts').selectAll().executeTakeFirstOrThrow();
    assert.equal(account.email, OWNER, 'back to the imported email');
    const kept = await m.deps.db.selectFrom('addresses').selectAll().where('removed_at', 'is', null).execute();
    assert.deepEqual(
      kept.map((a) => a.line1),
      [HOME.line1],
      'the imported address stays, the intruder’s is removed',
    );
    assert.equal((await attacker.get('/api/session')).statusCode, 401, 'the intruder is signed out');
    assert.deepEqual((await verifyAccountLogs(m.deps.db)).broken, []);
  });
});
