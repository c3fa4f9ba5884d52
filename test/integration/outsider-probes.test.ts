import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { PASSWORD, registerAndVerify, signIn, staffSignedIn } from '../support/flows.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient } from '../support/http-client.ts';
import {
  attackerTakesOver,
  emailChangedReportLink,
  OWNER,
  ownerRecovers,
  reportWithDefaults,
  STORY_ENV,
} from '../support/story.ts';

const HOUR = 3_600_000;

/** What an outsider found by probing (issue "the owner stays the owner"), each as the probe that found it. */
forEachStore('probes from outside', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store, STORY_ENV);
  });
  afterEach(async () => {
    await m.close();
  });

  test("a staff action names the account in the URL: another account's incident is a 404 and stays as it was", async () => {
    await attackerTakesOver(m);
    await reportWithDefaults(m, emailChangedReportLink(m));
    const incident = await m.deps.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    await registerAndVerify(m, 'other@example.com');
    const other = await m.deps.db
      .selectFrom('accounts')
      .select('id')
      .where('email', '=', 'other@example.com')
      .executeTakeFirstOrThrow();
    const admin = await staffSignedIn(m, 'admin');
    await admin.get(`/staff/accounts/${other.id}`);
    const wait = await admin.post(`/staff/accounts/${other.id}/incidents/${incident.id}/wait`, {
      minutes: '0',
      reason: 'probing',
    });
    assert.equal(wait.statusCode, 404);
    const resolve = await admin.post(`/staff/accounts/${other.id}/incidents/${incident.id}/resolve`, {
      decision: 'owner',
      reason: 'probing',
    });
    assert.equal(resolve.statusCode, 404);
    const after = await m.deps.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    assert.equal(after.wait_until, incident.wait_until);
    assert.equal(after.state, incident.state);
  });

  test('a staff reply to an account that does not exist is a 404, not the customer sign-in', async () => {
    const agent = await staffSignedIn(m, 'agent');
    await agent.get('/staff');
    const res = await agent.post('/staff/accounts/00000000-0000-4000-8000-000000000000/reply', { body: 'Hello' });
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /could not find that page/);
  });

  test('a staff change to the wait moves the objection link with it', async () => {
    await attackerTakesOver(m);
    await reportWithDefaults(m, emailChangedReportLink(m));
    await m.deliver();
    const objectLink = m.mailer.link('evil@example.net', '/object');
    const incident = await m.deps.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    const admin = await staffSignedIn(m, 'admin');
    await admin.get(`/staff/accounts/${incident.account_id}`);
    assert.equal(
      (
        await admin.post(`/staff/accounts/${incident.account_id}/incidents/${incident.id}/wait`, {
          minutes: String(10 * 60),
          reason: 'the owner asked for time',
        })
      ).statusCode,
      303,
    );
    m.clock.advance(6 * HOUR);
    const other = new TestClient(m.app);
    assert.equal((await other.get(pathOf(objectLink))).statusCode, 200, 'still open: the wait runs 10 h now');
    m.clock.advance(4 * HOUR + 1000);
    assert.equal((await other.get(pathOf(objectLink))).statusCode, 400, 'closed with the wait');
  });

  test('the form-token secret is renewed at sign-in: a token from before no longer works', async () => {
    const client = await registerAndVerify(m, 'hana@example.com');
    await client.get('/sign-in');
    const before = client.csrf;
    const res = await client.post('/sign-in', { email: 'hana@example.com', password: PASSWORD });
    assert.equal(res.statusCode, 303);
    assert.match(String(res.headers['set-cookie']), /_csrf=/);
    assert.equal((await client.post('/account/name', { name: 'Hana S', _csrf: before })).statusCode, 403);
    await client.get('/account');
    assert.notEqual(client.csrf, before);
    assert.equal((await client.post('/account/name', { name: 'Hana S' })).statusCode, 303);
  });

  test('a name change is announced, with a way to say it was not you', async () => {
    const { client } = await signIn(m, 'hana@example.com', PASSWORD, await registerAndVerify(m, 'hana@example.com'));
    await client.get('/account');
    assert.equal((await client.post('/account/name', { name: 'Someone Else' })).statusCode, 303);
    await m.deliver();
    const notice = m.mailer
      .to('hana@example.com')
      .find((mail) => /name on your .* account was changed/.test(mail.subject));
    assert.ok(notice);
    assert.match(notice.text, /This wasn't me: \S+\/report\?token=/);
  });

  test('recovery completing is announced at the owner address, with the way back to a person', async () => {
    await attackerTakesOver(m);
    await reportWithDefaults(m, emailChangedReportLink(m));
    m.clock.advance(5 * HOUR);
    await m.deliver();
    await ownerRecovers(m);
    await m.deliver();
    const told = m.mailer.to(OWNER).find((mail) => /account is open again/.test(mail.subject));
    assert.ok(told);
    assert.match(told.text, /\/incident\?token=/);
    assert.equal(m.mailer.to('evil@example.net').filter((mail) => /open again/.test(mail.subject)).length, 0);
  });
  test('the walk-through: the plan speaks of what will happen, the timeline names the shop, the new address is masked in every mail, the wait is in words', async () => {
    await attackerTakesOver(m);
    const link = emailChangedReportLink(m);
    const page = await new TestClient(m.app).get(pathOf(link));
    assert.match(page.body, /That device will be signed out|The password will be disabled/);
    assert.doesNotMatch(page.body, /That device was signed out|Password disabled \(/);
    assert.match(page.body, /recovery opens in 5 hours unless someone objects/);
    const owner = new TestClient(m.app);
    const statusPath = await reportWithDefaults(m, link, owner);
    const status = await owner.get(statusPath);
    assert.match(status.body, /Maple Market \(automatic\)/);
    assert.doesNotMatch(status.body, /<td>Mamori<\/td>/);
    const toOwner = m.mailer
      .to(OWNER)
      .map((mail) => mail.text)
      .join('\n');
    assert.doesNotMatch(toOwner, /evil@example\.net/, 'the address it was changed to is masked in every mail');
    assert.match(toOwner, /e•••l@example\.net/);
  });
});
