import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';
import { PASSWORD, registerAndVerify, signIn } from '../support/flows.ts';

const ADDRESS = {
  recipient: 'Hana Sato',
  postalCode: '150-0001',
  region: 'Tokyo',
  city: 'Shibuya',
  line1: '1-2-3 Jingumae',
  line2: '',
  country: 'jp',
};
const CARD = { processorToken: 'tok_1NXWPn2eZvKYlo2C', brand: 'visa', last4: '4242', expMonth: '12', expYear: '2030' };

forEachStore('profile', (store) => {
  let m: TestMamori;
  let client: TestClient;
  beforeEach(async () => {
    m = await startMamori(store);
    await registerAndVerify(m, 'hana@example.com');
    client = (await signIn(m, 'hana@example.com')).client;
    await client.get('/account');
    await m.deliver();
    m.mailer.sent.length = 0;
  });
  afterEach(async () => {
    await m.close();
  });

  test('add and remove a shipping address; the owner is told each time', async () => {
    const res = await client.post('/account/addresses', ADDRESS);
    assert.equal(res.statusCode, 303);
    const page = await client.get('/account');
    assert.match(page.body, /1-2-3 Jingumae/);
    assert.match(page.body, /\(JP\)/);
    const id = /\/account\/addresses\/([0-9a-f-]{36})\/remove/.exec(page.body)?.[1] ?? '';
    assert.equal((await client.post(`/account/addresses/${id}/remove`)).statusCode, 303);
    assert.doesNotMatch((await client.get('/account')).body, /1-2-3 Jingumae/);
    await m.deliver();
    assert.deepEqual(
      m.mailer.to('hana@example.com').map((mail) => mail.subject),
      [
        'A shipping address was added to your Maple Market account',
        'A shipping address was removed from your Maple Market account',
      ],
    );
  });

  test('a payment method keeps token, brand, last 4 and expiry; a full card number is refused and never stored', async () => {
    assert.equal((await client.post('/account/payment-methods', CARD)).statusCode, 303);
    const page = await client.get('/account');
    assert.match(page.body, /VISA •••• 4242/);
    for (const token of ['4242424242424242', '4242 4242 4242 4242', 'tok-4111-1111-1111-1111']) {
      const refused = await client.post('/account/payment-methods', { ...CARD, processorToken: token });
      assert.equal(refused.statusCode, 400, token);
      assert.match(refused.body, /never store card numbers/);
    }
    const wholeNumberAsLast4 = await client.post('/account/payment-methods', { ...CARD, last4: '4242424242424242' });
    assert.equal(wholeNumberAsLast4.statusCode, 400);
    const rows = await m.deps.db.selectFrom('payment_methods').selectAll().execute();
    assert.equal(rows.length, 1);
    // The row's own ids are random hex and may hold a run of digits; no other field may.
    const stored = rows.map(({ id: _id, account_id: _account, ...fields }) => fields);
    assert.doesNotMatch(JSON.stringify(stored), /\d{12,}/);
    const expired = await client.post('/account/payment-methods', { ...CARD, expYear: '2025' });
    assert.equal(expired.statusCode, 400);
    assert.match(expired.body, /expired/);
  });

  test('subscriptions can be paused or changed, only by their owner', async () => {
    await m.deps.db
      .insertInto('subscriptions')
      .values({
        id: '00000000-0000-4000-8000-000000000001',
        account_id: (
          await m.deps.db
            .selectFrom('accounts')
            .select('id')
            .where('email', '=', 'hana@example.com')
            .executeTakeFirstOrThrow()
        ).id,
        plan: 'Green tea',
        interval: 'monthly',
        status: 'active',
        created_at: m.clock.now().toISOString(),
        updated_at: m.clock.now().toISOString(),
      })
      .execute();
    await client.get('/account');
    assert.equal(
      (
        await client.post('/account/subscriptions/00000000-0000-4000-8000-000000000001', {
          interval: 'weekly',
          status: 'paused',
        })
      ).statusCode,
      303,
    );
    const row = await m.deps.db.selectFrom('subscriptions').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.interval, 'weekly');
    assert.equal(row.status, 'paused');
    const other = await registerAndVerify(m, 'ken@example.com');
    await signIn(m, 'ken@example.com', PASSWORD, other);
    await other.get('/account');
    assert.equal(
      (
        await other.post('/account/subscriptions/00000000-0000-4000-8000-000000000001', {
          interval: 'yearly',
          status: 'cancelled',
        })
      ).statusCode,
      404,
    );
    assert.equal(
      (await m.deps.db.selectFrom('subscriptions').select('status').executeTakeFirstOrThrow()).status,
      'paused',
    );
  });

  test('an email change waits for the new address; the old address is told before and after', async () => {
    const wrongPassword = await client.post('/account/email', {
      newEmail: 'hana.new@example.com',
      currentPassword: 'not the password at all',
    });
    assert.equal(wrongPassword.statusCode, 400);
    assert.match(wrongPassword.body, /current password is not correct/);
    const res = await client.post('/account/email', { newEmail: 'hana.new@example.com', currentPassword: PASSWORD });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/account?notice=email-pending');
    await m.deliver();
    const stillOld = await m.deps.db.selectFrom('accounts').select('email').executeTakeFirstOrThrow();
    assert.equal(stillOld.email, 'hana@example.com');
    assert.match(m.mailer.to('hana@example.com').at(-1)?.subject ?? '', /asked to change the email address/);

    const link = m.mailer.link('hana.new@example.com', '/confirm-email');
    const elsewhere = new TestClient(m.app);
    const confirmPage = await elsewhere.get(pathOf(link));
    assert.equal(confirmPage.statusCode, 200);
    assert.match(confirmPage.body, /hana\.new@example\.com/);
    assert.equal(
      (await m.deps.db.selectFrom('accounts').select('email').executeTakeFirstOrThrow()).email,
      'hana@example.com',
      'GET changes nothing',
    );
    assert.equal((await elsewhere.post('/confirm-email', { token: tokenOf(link) })).statusCode, 303);
    assert.equal(
      (await m.deps.db.selectFrom('accounts').select('email').executeTakeFirstOrThrow()).email,
      'hana.new@example.com',
    );
    await m.deliver();
    const notice = m.mailer.to('hana@example.com').at(-1);
    assert.match(notice?.subject ?? '', /email address of your Maple Market account was changed/);
    assert.match(notice?.text ?? '', /Before: hana@example\.com/);
    assert.match(notice?.text ?? '', /After: h•••w@example\.com/, 'the new address is masked');
    assert.match(notice?.text ?? '', /This wasn't me: http:\/\/localhost:3000\/report\?token=/);
    assert.equal((await elsewhere.post('/confirm-email', { token: tokenOf(link) })).statusCode, 400, 'single use');
  });

  test('a password change needs the current password, ends the other sessions and keeps this one', async () => {
    const other = (await signIn(m, 'hana@example.com')).client;
    const missing = await client.post('/account/password', { newPassword: 'amber falcon quarry ribbon' });
    assert.equal(missing.statusCode, 400);
    const res = await client.post('/account/password', {
      currentPassword: PASSWORD,
      newPassword: 'amber falcon quarry ribbon',
      signOutOthers: 'yes',
    });
    assert.equal(res.statusCode, 303);
    assert.equal((await client.get('/api/session')).statusCode, 200);
    assert.equal((await other.get('/api/session')).statusCode, 401);
    assert.equal((await signIn(m, 'hana@example.com', PASSWORD)).res.statusCode, 401);
    assert.equal((await signIn(m, 'hana@example.com', 'amber falcon quarry ribbon')).res.statusCode, 303);
    await m.deliver();
    assert.ok(m.mailer.to('hana@example.com').some((mail) => /password was changed/.test(mail.subject)));
  });

  test('password reset: same answer for any address, single-use link, every session ended, no automatic sign-in', async () => {
    const stranger = new TestClient(m.app);
    await stranger.get('/forgot-password');
    const known = await stranger.post('/forgot-password', { email: 'hana@example.com' });
    const unknown = await stranger.post('/forgot-password', { email: 'nobody@example.com' });
    assert.equal(known.statusCode, 200);
    assert.equal(unknown.statusCode, 200);
    assert.equal(
      known.body.replace(/name="_csrf" value="[^"]+"/g, '').replace('hana@example.com', 'E'),
      unknown.body.replace(/name="_csrf" value="[^"]+"/g, '').replace('nobody@example.com', 'E'),
    );
    await m.deliver();
    const link = m.mailer.link('hana@example.com', '/reset-password');
    await stranger.get(pathOf(link));
    const weak = await stranger.post('/reset-password', { token: tokenOf(link), password: 'short' });
    assert.equal(weak.statusCode, 400);
    const done = await stranger.post('/reset-password', {
      token: tokenOf(link),
      password: 'amber falcon quarry ribbon',
    });
    assert.equal(done.statusCode, 303, 'a refused password did not burn the link');
    assert.equal(done.headers.location, '/sign-in?notice=reset');
    assert.equal(stranger.cookies.get('mamori_session'), undefined, 'not signed in');
    assert.equal((await client.get('/api/session')).statusCode, 401, 'old sessions ended');
    assert.equal(
      (await stranger.post('/reset-password', { token: tokenOf(link), password: 'another fine passphrase' }))
        .statusCode,
      400,
    );
    m.clock.advance(61 * 60_000);
    for (let i = 0; i < 5; i += 1) await stranger.post('/forgot-password', { email: 'hana@example.com' });
    await m.deliver();
    const resetMails = m.mailer.to('hana@example.com').filter((mail) => /Set a new password/.test(mail.subject));
    assert.equal(resetMails.length, 1 + 3, 'at most three reset mails an hour');
  });

  test('an expired reset link is refused (fake clock, 60 minutes)', async () => {
    const stranger = new TestClient(m.app);
    await stranger.get('/forgot-password');
    await stranger.post('/forgot-password', { email: 'hana@example.com' });
    await m.deliver();
    const link = m.mailer.link('hana@example.com', '/reset-password');
    m.clock.advance(60 * 60_000 + 1);
    assert.equal((await stranger.get(pathOf(link))).statusCode, 400);
  });
});
