import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { PASSWORD, postSignIn, registerAndVerify, signIn } from '../support/flows.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';

const HOUR = 3_600_000;
const NEW_PASSWORD = 'amber lantern over quiet fields';
const CARD = { processorToken: 'tok_visa_4242', brand: 'visa', last4: '4242', expMonth: '12', expYear: '2030' };

forEachStore('holds on sensitive changes', (store) => {
  let m: TestMamori;
  let home: TestClient;
  beforeEach(async () => {
    m = await startMamori(store);
    home = await registerAndVerify(m, 'hana@example.com');
    assert.equal((await signIn(m, 'hana@example.com', PASSWORD, home)).res.statusCode, 303);
    m.clock.advance(3 * 24 * HOUR);
  });
  afterEach(async () => {
    await m.close();
  });

  /** A browser new to the account: the sign-in is challenged (mailed code), so its changes are held. */
  async function newBrowser(): Promise<TestClient> {
    const client = new TestClient(m.app, {
      'user-agent':
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36',
    });
    const { res } = await signIn(m, 'hana@example.com', PASSWORD, client);
    assert.equal(res.statusCode, 303);
    await client.get('/account');
    return client;
  }

  test('the owner on an established browser changes things at once; a brand-new account is not held either', async () => {
    assert.equal((await postSignIn(home, 'hana@example.com')).statusCode, 303);
    await home.get('/account');
    const res = await home.post('/account/payment-methods', CARD);
    assert.equal(res.headers.location, '/account?notice=saved');
    assert.match((await home.get('/account')).body, /VISA •••• 4242/);

    const fresh = await registerAndVerify(m, 'new@example.com');
    await signIn(m, 'new@example.com', PASSWORD, fresh);
    await fresh.get('/account');
    assert.equal(
      (await fresh.post('/account/payment-methods', CARD)).headers.location,
      '/account?notice=saved',
      "the account's first browser is established",
    );
  });

  test('a password change from a challenged browser waits 24 h with a cancel link; then it applies and the asking session stays', async () => {
    const other = await newBrowser();
    const res = await other.post('/account/password', {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      signOutOthers: 'yes',
    });
    assert.equal(res.headers.location, '/account?notice=held');
    const page = await other.get('/account?notice=held');
    assert.match(page.body, /waits before it takes effect/);
    assert.match(page.body, /data-testid="held-changes"/);
    await m.deliver();
    const notice = m.mailer.to('hana@example.com').find((mail) => /on hold/.test(mail.subject));
    assert.ok(notice, 'the current address is told');
    assert.match(notice.text, /New password/);
    assert.doesNotMatch(notice.text, new RegExp(NEW_PASSWORD));

    // Nothing changed yet: the old password still works, the new one does not.
    m.clock.advance(23 * HOUR);
    await m.deliver();
    assert.equal((await postSignIn(home, 'hana@example.com')).statusCode, 303);
    assert.equal((await postSignIn(new TestClient(m.app), 'hana@example.com', NEW_PASSWORD)).statusCode, 401);

    m.clock.advance(2 * HOUR);
    await m.deliver();
    assert.equal((await postSignIn(home, 'hana@example.com', NEW_PASSWORD)).statusCode, 303, 'applied by the worker');
    const held = await m.deps.db.selectFrom('delayed_changes').select(['outcome']).executeTakeFirstOrThrow();
    assert.equal(held.outcome, 'applied');
    assert.ok(
      m.mailer.to('hana@example.com').some((mail) => /password was changed/.test(mail.subject)),
      'the usual notice when it applies',
    );
  });

  test('the cancel link: GET only shows, POST cancels once, the asking browser is signed out, and the change never happens', async () => {
    const other = await newBrowser();
    await other.post('/account/phone', { phone: '+81 90 1111 2222' });
    // Phone changes need a recent sign-in; the challenged sign-in just happened.
    await m.deliver();
    const link = m.mailer.link('hana@example.com', '/held/cancel');
    for (let i = 0; i < 3; i += 1) assert.equal((await new TestClient(m.app).get(pathOf(link))).statusCode, 200);
    assert.equal(
      (await m.deps.db.selectFrom('delayed_changes').select('settled_at').executeTakeFirstOrThrow()).settled_at,
      null,
      'GET changed nothing',
    );

    const owner = new TestClient(m.app);
    await owner.get(pathOf(link));
    const cancelled = await owner.post('/held/cancel', { token: tokenOf(link) });
    assert.equal(cancelled.statusCode, 200);
    assert.match(cancelled.body, /cancelled/);
    assert.equal((await owner.post('/held/cancel', { token: tokenOf(link) })).statusCode, 400, 'single use');
    assert.equal((await other.get('/api/session')).statusCode, 401, 'the asking browser is signed out');

    m.clock.advance(25 * HOUR);
    await m.deliver();
    const account = await m.deps.db
      .selectFrom('accounts')
      .select('phone')
      .where('email', '=', 'hana@example.com')
      .executeTakeFirstOrThrow();
    assert.equal(account.phone, null);
    const kinds = (await m.deps.db.selectFrom('account_log').select('kind').orderBy('seq').execute()).map(
      (r) => r.kind,
    );
    assert.ok(kinds.includes('change-held') && kinds.includes('held-change-cancelled'));
    assert.ok(!kinds.includes('phone-changed'));
  });

  test('a new delivery address from a young browser waits: no order can be sent there until the hold ends', async () => {
    const address = {
      recipient: 'Hana Sato',
      postalCode: '150-0001',
      region: 'Tokyo',
      city: 'Shibuya',
      line1: '1-2-3 Jingumae',
      line2: '',
      country: 'jp',
    };
    const other = await newBrowser();
    assert.equal((await other.post('/account/addresses', address)).headers.location, '/account?notice=held');
    const addresses = () => m.deps.db.selectFrom('addresses').select(['city', 'country']).execute();
    assert.deepEqual(await addresses(), [], 'not usable yet');
    const page = await home.get('/account');
    assert.match(page.body, /New delivery address: 〒150-0001 Tokyo Shibuya/);
    await m.deliver();
    const notice = m.mailer.to('hana@example.com').find((mail) => /on hold/.test(mail.subject));
    assert.match(notice?.text ?? '', /New delivery address: 〒150-0001 Tokyo Shibuya/);

    m.clock.advance(25 * HOUR);
    await m.deliver();
    assert.deepEqual(await addresses(), [{ city: 'Shibuya', country: 'JP' }], 'applied by the worker');
    assert.ok(
      m.mailer.to('hana@example.com').some((mail) => /shipping address was added/.test(mail.subject)),
      'the usual notice when it applies',
    );

    // The owner's own, established browser adds one at once.
    await home.get('/account');
    assert.equal(
      (await home.post('/account/addresses', { ...address, city: 'Meguro' })).headers.location,
      '/account?notice=saved',
    );
    assert.equal((await addresses()).length, 2);
  });

  test('the owner can cancel from the account page too; a forged id is refused', async () => {
    const other = await newBrowser();
    await other.post('/account/payment-methods', CARD);
    await home.get('/account');
    assert.equal((await home.post('/account/held/00000000-0000-4000-8000-000000000000/cancel')).statusCode, 404);
    const held = await m.deps.db.selectFrom('delayed_changes').select('id').executeTakeFirstOrThrow();
    await home.get('/account');
    assert.equal(
      (await home.post(`/account/held/${held.id}/cancel`)).headers.location,
      '/account?notice=held-cancelled',
    );
  });

  test('a held email change is voided when the owner reports the intrusion', async () => {
    const other = await newBrowser();
    assert.equal(
      (await other.post('/account/email', { newEmail: 'evil@example.net', currentPassword: PASSWORD })).headers
        .location,
      '/account?notice=held',
    );
    await m.deliver();
    const report = m.mailer.link('hana@example.com', '/report');
    const owner = new TestClient(m.app);
    await owner.get(pathOf(report));
    assert.equal((await owner.post('/report', { token: tokenOf(report) })).statusCode, 303);
    m.clock.advance(25 * HOUR);
    await m.deliver();
    assert.equal(
      (await m.deps.db.selectFrom('delayed_changes').select('outcome').executeTakeFirstOrThrow()).outcome,
      'void',
    );
    assert.equal(m.mailer.to('evil@example.net').length, 0, 'the new address never got a confirmation link');
  });

  test('after an email change the shop reads a 72 h hold on irreversible actions from /api/session', async () => {
    assert.equal((await postSignIn(home, 'hana@example.com')).statusCode, 303);
    const before = JSON.parse((await home.get('/api/session')).body) as {
      holds: { irreversibleActionsUntil: string | null };
    };
    assert.equal(before.holds.irreversibleActionsUntil, null);
    await home.get('/account');
    await home.post('/account/email', { newEmail: 'hana.sato@example.com', currentPassword: PASSWORD });
    await m.deliver();
    const confirm = m.mailer.link('hana.sato@example.com', '/confirm-email');
    await home.get(pathOf(confirm));
    assert.equal((await home.post('/confirm-email', { token: tokenOf(confirm) })).statusCode, 303);
    const after = JSON.parse((await home.get('/api/session')).body) as {
      holds: { irreversibleActionsUntil: string | null };
    };
    assert.equal(after.holds.irreversibleActionsUntil, new Date(m.clock.now().getTime() + 72 * HOUR).toISOString());
    assert.match((await home.get('/account')).body, /data-testid="irreversible-hold"/);
    m.clock.advance(73 * HOUR);
    await postSignIn(home, 'hana.sato@example.com');
    const later = JSON.parse((await home.get('/api/session')).body) as {
      holds: { irreversibleActionsUntil: string | null };
    };
    assert.equal(later.holds.irreversibleActionsUntil, null);
  });
});
