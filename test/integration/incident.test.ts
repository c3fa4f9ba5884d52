import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { attackerTakesOver as takeOver, ownerSignsUp } from '../../src/cli/demo/story.ts';
import { verifyAccountLogs } from '../../src/services/account-log/change-log.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';
import { PASSWORD, signIn } from '../support/flows.ts';
import {
  ATTACKER,
  ATTACKER_PASSWORD,
  attackerTakesOver,
  checkedUndo,
  emailChangedReportLink,
  OWNER,
  reportWithDefaults,
  STORY_ENV,
} from '../support/story.ts';

const HOUR = 3_600_000;

forEachStore('incident', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store, STORY_ENV);
  });
  afterEach(async () => {
    await m.close();
  });

  const snapshot = async () =>
    JSON.stringify(
      await Promise.all(
        (['accounts', 'sessions', 'addresses', 'incidents', 'account_log'] as const).map((t) =>
          m.deps.db.selectFrom(t).selectAll().execute(),
        ),
      ),
    );

  test('the story: one click contains and undoes; after 5 h the owner recovers and gets the checklist', async () => {
    const { attacker } = await attackerTakesOver(m);
    const link = emailChangedReportLink(m);
    const reporter = new TestClient(m.app);

    const page = await reporter.get(pathOf(link));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Email address changed/);
    assert.match(page.body, /Shipping address added/);
    assert.match(page.body, /Chrome 129/);

    const res = await reporter.post('/report', { token: tokenOf(link), undo: checkedUndo(page.body) });
    assert.equal(res.statusCode, 303);
    const statusPath = String(res.headers.location);
    assert.match(statusPath, /^\/incident\?token=[A-Za-z0-9_-]{43}$/);

    // Contained: the attacker's next request is signed out, nothing they knew works any more.
    assert.equal((await attacker.get('/api/session')).statusCode, 401);
    const account = await m.deps.db.selectFrom('accounts').selectAll().executeTakeFirstOrThrow();
    assert.equal(account.email, OWNER, 'email restored');
    assert.equal(account.status, 'locked');
    assert.ok(account.password_disabled_at);
    assert.equal((await signIn(m, OWNER, ATTACKER_PASSWORD)).res.statusCode, 401);
    assert.equal((await signIn(m, OWNER, PASSWORD)).res.statusCode, 401);
    const addresses = await m.deps.db.selectFrom('addresses').selectAll().where('removed_at', 'is', null).execute();
    assert.equal(addresses.length, 0, 'the attacker’s address is removed');

    const status = await reporter.get(statusPath);
    assert.equal(status.statusCode, 200);
    assert.match(status.body, /Waiting period running/);
    assert.match(
      status.body,
      /we will mail a link to set a new password to t•••o@example\.com/,
      'where and when the link comes',
    );
    assert.match(
      status.body,
      /the address your email was changed to has been told, and may object/,
      'who may object, and why',
    );
    assert.match(status.body, /<span data-countdown-until="[^"]+"[^>]*>in 5 h<\/span>/, 'no "0 min"');

    await m.deliver();
    assert.ok(m.mailer.to(OWNER).some((mail) => /We secured your Maple Market account/.test(mail.subject)));
    assert.ok(
      m.mailer.to(ATTACKER).some((mail) => /was reversed/.test(mail.subject)),
      'the other party is told and may object',
    );
    assert.equal(m.mailer.to(OWNER).filter((mail) => /Recover your/.test(mail.subject)).length, 0);

    // Near the end only the minutes are said, in each language: "in 2 min", 「あと2分」 (not "0 時間 2 分").
    m.clock.advance(5 * HOUR - 2 * 60_000);
    assert.match((await reporter.get(statusPath)).body, />in 2 min<\/span>/);
    assert.match((await new TestClient(m.app).get(`${statusPath}&lang=ja`)).body, />あと2分<\/span>/);
    m.clock.advance(2 * 60_000);
    assert.match((await reporter.get(statusPath)).body, /Recovery is open/);
    await m.deliver();
    const recovery = m.mailer.link(OWNER, '/recover');
    const owner = new TestClient(m.app);
    await owner.get(pathOf(recovery));
    const recovered = await owner.post('/recover', {
      token: tokenOf(recovery),
      password: 'fresh start lantern meadow',
    });
    assert.equal(recovered.statusCode, 303);
    assert.equal(recovered.headers.location, '/sign-in?notice=recovered');

    assert.equal((await signIn(m, OWNER, 'fresh start lantern meadow', owner)).res.statusCode, 303);
    const accountPage = await owner.get('/account');
    assert.match(accountPage.body, /Finish recovering/);
    assert.match(accountPage.body, /Confirm your shipping addresses/);
    const ticks = [...accountPage.body.matchAll(/action="(\/account\/checklist\/[^"]+)"/g)].map((x) => x[1] ?? '');
    assert.ok(ticks.length >= 3);
    for (const path of ticks) assert.equal((await owner.post(path)).statusCode, 303);
    const incident = await m.deps.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    assert.equal(incident.state, 'closed');
    assert.equal((await verifyAccountLogs(m.deps.db)).broken.length, 0);
  });

  test('opening the report link (GET) changes nothing, however often', async () => {
    await attackerTakesOver(m);
    const link = emailChangedReportLink(m);
    const before = await snapshot();
    const client = new TestClient(m.app);
    for (let i = 0; i < 3; i += 1) assert.equal((await client.get(pathOf(link))).statusCode, 200);
    assert.equal(await snapshot(), before);
  });

  test('a double click contains exactly once', async () => {
    await attackerTakesOver(m);
    const link = emailChangedReportLink(m);
    const a = new TestClient(m.app);
    await a.get(pathOf(link));
    const b = new TestClient(m.app);
    await b.get(pathOf(link));
    const results = await Promise.all([
      a.post('/report', { token: tokenOf(link) }),
      b.post('/report', { token: tokenOf(link) }),
    ]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [303, 400]);
    assert.equal((await m.deps.db.selectFrom('incidents').selectAll().execute()).length, 1);
    const contained = await m.deps.db
      .selectFrom('account_log')
      .select('kind')
      .where('kind', '=', 'account-contained')
      .execute();
    assert.equal(contained.length, 1);
  });

  test('report links are single-use, expire after 7 days, and refuse forged or truncated tokens', async () => {
    await attackerTakesOver(m);
    const link = emailChangedReportLink(m);
    const client = new TestClient(m.app);
    await client.get('/sign-in');
    for (const forged of [
      '',
      'x',
      tokenOf(link).slice(0, 20),
      tokenOf(link).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      "' OR 1=1 --",
    ]) {
      const res = await client.get(`/report?token=${encodeURIComponent(forged)}`);
      assert.equal(res.statusCode, 400, forged);
      assert.match(res.body, /cannot be used/);
    }
    m.clock.advance(7 * 24 * HOUR + 1000);
    assert.equal((await client.get(pathOf(link))).statusCode, 400, 'expired after 7 days');
    assert.equal((await client.post('/report', { token: tokenOf(link) })).statusCode, 400);
    assert.equal((await m.deps.db.selectFrom('incidents').selectAll().execute()).length, 0);
  });

  test('an objection from the other party sends the case to a person; recovery does not open by the clock', async () => {
    await attackerTakesOver(m);
    const link = emailChangedReportLink(m);
    await reportWithDefaults(m, link);
    await m.deliver();
    const objectLink = m.mailer.link(ATTACKER, '/object');
    const other = new TestClient(m.app);
    assert.equal((await other.get(pathOf(objectLink))).statusCode, 200);
    const hostile = await other.post('/object', {
      token: tokenOf(objectLink),
      message: '<img src=x onerror=alert(1)>',
    });
    assert.equal(hostile.statusCode, 400);
    assert.equal(
      (
        await other.post('/object', {
          token: tokenOf(objectLink),
          message: 'I changed my own email, this is my account.',
        })
      ).statusCode,
      200,
    );
    const incident = await m.deps.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    assert.equal(incident.state, 'disputed');
    assert.match(incident.objection ?? '', /this is my account/);
    assert.match(incident.objection ?? '', /"from":"evil@example.net"/);
    m.clock.advance(6 * HOUR);
    await m.deliver();
    assert.equal(m.mailer.to(OWNER).filter((mail) => /Recover your/.test(mail.subject)).length, 0);
    assert.ok(m.mailer.to(OWNER).some((mail) => /objected/.test(mail.subject)));
    assert.equal(
      (await other.post('/object', { token: tokenOf(objectLink), message: 'again' })).statusCode,
      400,
      'single use',
    );
  });

  test('a later change by the owner from a trusted device is flagged as a conflict and left alone', async () => {
    const { owner, attacker } = await attackerTakesOver(m);
    await attacker.get('/account');
    assert.equal((await attacker.post('/account/phone', { phone: '+1 555 0100' })).statusCode, 303);
    // Later the owner, on the browser they used before the attack (its device cookie), changes it again.
    const ownerBrowser = new TestClient(m.app);
    ownerBrowser.cookies.set('mamori_device', owner.cookies.get('mamori_device') ?? '');
    assert.equal((await signIn(m, ATTACKER, ATTACKER_PASSWORD, ownerBrowser)).res.statusCode, 303);
    await ownerBrowser.get('/account');
    assert.equal((await ownerBrowser.post('/account/phone', { phone: '+81 90-5555-6666' })).statusCode, 303);
    await m.deliver();

    const link = emailChangedReportLink(m);
    const reporter = new TestClient(m.app);
    const page = await reporter.get(pathOf(link));
    assert.match(page.body, /Changed again later from one of your own devices/);
    assert.match(page.body, /name="undo" value="[^"]+" disabled/);
    assert.equal(
      (page.body.match(/Phone number changed/g) ?? []).length,
      1,
      'only the attacker’s phone change is in the plan',
    );
    // Even a forged tick on the conflicting item is ignored.
    const conflictId = /name="undo" value="([^"]+)" disabled/.exec(page.body)?.[1] ?? '';
    await reporter.post('/report', { token: tokenOf(link), undo: [...checkedUndo(page.body), conflictId] });
    const account = await m.deps.db.selectFrom('accounts').select(['phone', 'email']).executeTakeFirstOrThrow();
    assert.equal(account.phone, '+81 90-5555-6666', 'the owner’s later value stays');
    assert.equal(account.email, OWNER);
  });

  test('the attacker’s addresses and cards, added and removed by the dozen, are undone together; an unticked one stays', async () => {
    const owner = await ownerSignsUp(m);
    await owner.get('/account');
    const home = { recipient: 'Taro Yamada', postalCode: '150-0001', region: 'Tokyo', city: 'Shibuya', line1: '1-2-3' };
    const card = { processorToken: 'tok_owner_card', brand: 'visa', last4: '4242', expMonth: '12', expYear: '2030' };
    assert.equal((await owner.post('/account/addresses', { ...home, country: 'JP' })).statusCode, 303);
    assert.equal((await owner.post('/account/payment-methods', card)).statusCode, 303);
    const ownerRows = {
      address: (await m.deps.db.selectFrom('addresses').select('id').executeTakeFirstOrThrow()).id,
      card: (await m.deps.db.selectFrom('payment_methods').select('id').executeTakeFirstOrThrow()).id,
    };
    m.clock.advance(3 * 24 * HOUR);
    const attacker = await takeOver(m);
    await attacker.get('/account');
    for (const line1 of ['8-8-8', '7-7-7', '6-6-6'])
      assert.equal(
        (await attacker.post('/account/addresses', { ...home, recipient: 'Drop', line1, country: 'JP' })).statusCode,
        303,
      );
    assert.equal((await attacker.post(`/account/addresses/${ownerRows.address}/remove`)).statusCode, 303);
    for (const token of ['tok_drop_card_1', 'tok_drop_card_2'])
      assert.equal(
        (await attacker.post('/account/payment-methods', { ...card, processorToken: token, last4: '1111' })).statusCode,
        303,
      );
    assert.equal((await attacker.post(`/account/payment-methods/${ownerRows.card}/remove`)).statusCode, 303);
    await m.deliver();

    // The owner keeps one of the new addresses (say, a relative's she recognises) by unticking it.
    const kept = await m.deps.db
      .selectFrom('addresses')
      .select('id')
      .where('line1', '=', '7-7-7')
      .executeTakeFirstOrThrow();
    const keptChange = await m.deps.db
      .selectFrom('account_log')
      .select('id')
      .where('kind', '=', 'address-added')
      .where('subject_id', '=', kept.id)
      .executeTakeFirstOrThrow();
    const link = emailChangedReportLink(m);
    const reporter = new TestClient(m.app);
    const undo = checkedUndo((await reporter.get(pathOf(link))).body);
    assert.ok(undo.includes(keptChange.id));
    const res = await reporter.post('/report', {
      token: tokenOf(link),
      undo: undo.filter((id) => id !== keptChange.id),
    });
    assert.equal(res.statusCode, 303);

    const live = async (table: 'addresses' | 'payment_methods') =>
      (await m.deps.db.selectFrom(table).select('id').where('removed_at', 'is', null).execute())
        .map((r) => r.id)
        .sort();
    assert.deepEqual(await live('addresses'), [ownerRows.address, kept.id].sort());
    assert.deepEqual(await live('payment_methods'), [ownerRows.card]);
    const incident = await m.deps.db.selectFrom('incidents').select('plan').executeTakeFirstOrThrow();
    const outcomes = (JSON.parse(incident.plan) as { kind: string; subjectId: string; outcome: string }[])
      .filter((step) => /address|payment/.test(step.kind))
      .map((step) => `${step.kind}:${step.subjectId === kept.id ? 'kept' : 'other'}:${step.outcome}`)
      .sort();
    assert.deepEqual(outcomes, [
      'address-added:kept:skipped',
      'address-added:other:undone',
      'address-added:other:undone',
      'address-added:other:undone',
      'address-removed:other:undone',
      'payment-method-added:other:undone',
      'payment-method-added:other:undone',
      'payment-method-removed:other:undone',
    ]);
    assert.equal((await verifyAccountLogs(m.deps.db)).broken.length, 0);
  });

  test('messages and call-back requests reach the support desk; hostile or oversized text is refused', async () => {
    await attackerTakesOver(m);
    const link = emailChangedReportLink(m);
    const client = new TestClient(m.app);
    const statusPath = await reportWithDefaults(m, link, client);
    const token = new URL(`http://x${statusPath}`).searchParams.get('token') ?? '';
    await client.get(statusPath);
    assert.equal(
      (await client.post('/incident/message', { token, message: 'I cannot sign in and my card was on file.' }))
        .statusCode,
      303,
    );
    assert.equal(
      (
        await client.post('/incident/callback', {
          token,
          phone: '+81 90-1234-5678',
          preferredTime: 'today after 18:00',
        })
      ).statusCode,
      303,
    );
    assert.equal((await client.post('/incident/message', { token, message: '<script>x</script>' })).statusCode, 400);
    assert.equal((await client.post('/incident/message', { token, message: 'a'.repeat(4001) })).statusCode, 400);
    assert.equal(
      (await client.post('/incident/callback', { token, phone: 'call me maybe', preferredTime: 'now' })).statusCode,
      400,
    );
    assert.equal((await client.post('/incident/message', { token: 'A'.repeat(43), message: 'hello' })).statusCode, 400);
    const requests = await m.deps.db.selectFrom('support_requests').selectAll().orderBy('created_at').execute();
    assert.deepEqual(
      requests.map((r) => r.kind),
      ['message', 'callback'],
    );
    assert.equal(requests[1]?.phone, '+81 90-1234-5678');
    const status = await client.get(statusPath);
    assert.match(status.body, /Call back: \+81 90-1234-5678, today after 18:00/);
  });

  test('the hash chain detects an edited entry and names it', async () => {
    await attackerTakesOver(m);
    assert.equal((await verifyAccountLogs(m.deps.db)).broken.length, 0);
    const target = await m.deps.db
      .selectFrom('account_log')
      .selectAll()
      .where('kind', '=', 'email-changed')
      .executeTakeFirstOrThrow();
    await m.deps.db
      .updateTable('account_log')
      .set({ after_value: JSON.stringify({ email: OWNER }) })
      .where('id', '=', target.id)
      .execute();
    const result = await verifyAccountLogs(m.deps.db);
    assert.equal(result.broken.length, 1);
    assert.equal(result.broken[0]?.id, target.id);
    assert.equal(result.broken[0]?.reason, 'hash-mismatch');
  });
});
