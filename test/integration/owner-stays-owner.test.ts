import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';
import { PASSWORD, registerAndVerify, signIn, staffSignedIn } from '../support/flows.ts';
import {
  ATTACKER,
  ATTACKER_PASSWORD,
  attackerTakesOver,
  checkedUndo,
  emailChangedReportLink,
  OWNER,
  ownerRecovers,
  reportWithDefaults,
  STORY_ENV,
} from '../support/story.ts';

const HOUR = 3_600_000;

/**
 * DESIGN 4, "the owner stays the owner", played by the intruder: every protection is tried from the
 * intruder's own mailbox, session and browser, and must leave the owner able to recover.
 */
forEachStore('the owner stays the owner', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store, STORY_ENV);
  });
  afterEach(async () => {
    await m.close();
  });

  const incidentRow = () => m.deps.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
  const accountRow = () => m.deps.db.selectFrom('accounts').selectAll().executeTakeFirstOrThrow();
  const linksIn = (to: string) =>
    m.mailer.to(to).flatMap((mail) => [...mail.text.matchAll(/https?:\/\/\S+/g)].map((x) => x[0]));

  /** The copy of the "address added" notice that went to the intruder's own address. */
  function intrudersReportLink(): string {
    const notice = m.mailer
      .to(ATTACKER)
      .find((mail) => /address/i.test(mail.subject) && /This wasn't me: /.test(mail.text));
    const link = notice?.text.match(/This wasn't me: (\S+)/)?.[1];
    assert.ok(link, 'the intruder got a copy of a notice with a report link');
    return link;
  }

  async function intruderReports(attacker: TestClient, undo: string[]): Promise<string> {
    const link = intrudersReportLink();
    const page = await attacker.get(pathOf(link));
    assert.equal(page.statusCode, 200);
    const res = await attacker.post('/report', { token: tokenOf(link), undo });
    assert.equal(res.statusCode, 303);
    return String(res.headers.location);
  }

  test("the intruder's own report with nothing ticked: the whole undo applies, no wait runs, the owner can claim and recover", async () => {
    const { attacker } = await attackerTakesOver(m);
    const ownerLink = emailChangedReportLink(m);
    const statusPath = await intruderReports(attacker, []);

    const incident = await incidentRow();
    assert.equal(incident.state, 'disputed', 'a newcomer report goes to a person');
    assert.equal(incident.wait_until, null);
    assert.equal(incident.owner_email, OWNER);
    const reporter = JSON.parse(incident.reported_by ?? '{}') as { standing: string; reasons: string[] };
    assert.equal(reporter.standing, 'newcomer');
    assert.deepEqual(reporter.reasons, ['address-after-compromise', 'suspect-session', 'suspect-device']);
    const account = await accountRow();
    assert.equal(account.email, OWNER, 'the identifier is restored whatever the newcomer ticked');
    assert.equal(account.status, 'locked');
    assert.equal(
      (await m.deps.db.selectFrom('addresses').selectAll().where('removed_at', 'is', null).execute()).length,
      0,
    );

    // The intruder's page tells them nothing that helps: no undo list, no timeline, no call-back.
    const theirs = await attacker.get(statusPath);
    assert.equal(theirs.statusCode, 200);
    assert.doesNotMatch(theirs.body, /What was undone|Timeline|Phone number to call|taro/);
    const token = new URL(`http://x${statusPath}`).searchParams.get('token') ?? '';
    assert.equal(
      (await attacker.post('/incident/callback', { token, phone: '+81 90-0000-0000', preferredTime: 'now' }))
        .statusCode,
      403,
    );
    assert.equal(
      (await attacker.post('/incident/message', { token, message: 'This is my account, open it for me.' })).statusCode,
      303,
    );
    const request = await m.deps.db.selectFrom('support_requests').selectAll().executeTakeFirstOrThrow();
    assert.equal(request.standing, 'newcomer');
    assert.equal((await attacker.post('/incident/claim', { token })).statusCode, 409, 'a newcomer cannot claim');

    // The owner hears of it at her own address, with a link of her own.
    await m.deliver();
    const ownerMail = m.mailer.to(OWNER).find((mail) => /We secured your/.test(mail.subject));
    assert.ok(ownerMail);
    assert.match(ownerMail.text, /Nobody can recover the account until a person/);
    assert.ok(
      !linksIn(ATTACKER).some((link) => /\/(incident|recover|object)\?/.test(link)),
      'the intruder is mailed no incident, recovery or objection link',
    );

    // No clock opens recovery for a newcomer's report.
    m.clock.advance(6 * HOUR);
    await m.deliver();
    assert.equal(m.mailer.sent.filter((mail) => /Recover your/.test(mail.subject)).length, 0);

    // The owner's spent notice link still leads her to the incident, where she claims it.
    const owner = new TestClient(m.app);
    const spent = await owner.get(pathOf(ownerLink));
    assert.equal(spent.statusCode, 200);
    assert.match(spent.body, /already protected/);
    const entered = await owner.post('/report/incident', { token: tokenOf(ownerLink) });
    assert.equal(entered.statusCode, 303);
    const ownerPage = await owner.get(String(entered.headers.location));
    assert.match(ownerPage.body, /What was undone/);
    assert.match(ownerPage.body, /Is this your account\?/);
    const ownerToken = new URL(`http://x${entered.headers.location}`).searchParams.get('token') ?? '';
    assert.equal((await owner.post('/incident/claim', { token: ownerToken })).statusCode, 303);
    assert.match((await owner.get(`/incident?token=${ownerToken}`)).body, /You told us this is your account/);

    // The intruder's spent link is a dead one.
    assert.equal((await attacker.get(pathOf(intrudersReportLink()))).statusCode, 400);
    assert.equal((await attacker.post('/report/incident', { token: tokenOf(intrudersReportLink()) })).statusCode, 400);

    // A person decides for the owner: recovery goes to her address, and she gets in.
    const admin = await staffSignedIn(m, 'admin');
    const casePage = await admin.get(`/staff/accounts/${incident.account_id}`);
    assert.match(casePage.body, /Reported through evil@example\.net, which may not be the owner/);
    assert.match(casePage.body, /the session that made the suspect changes/);
    assert.match(casePage.body, /taro@example\.com \(held before the compromise\) says the account is theirs/);
    assert.match(casePage.body, /not the owner&#39;s word|not the owner's word/);
    const resolved = await admin.post(`/staff/accounts/${incident.account_id}/incidents/${incident.id}/resolve`, {
      decision: 'owner',
      reason: 'Owner claimed from her original address',
    });
    assert.equal(resolved.statusCode, 303);
    await m.deliver();
    assert.equal(m.mailer.to(ATTACKER).filter((mail) => /Recover your/.test(mail.subject)).length, 0);
    await ownerRecovers(m, 'fresh start lantern meadow', owner);
    assert.equal((await signIn(m, OWNER, 'fresh start lantern meadow')).res.statusCode, 303);
    assert.equal((await signIn(m, ATTACKER, ATTACKER_PASSWORD)).res.statusCode, 401);
  });

  test("the intruder's partial report cannot keep the new address: the restore is applied anyway", async () => {
    const { attacker } = await attackerTakesOver(m);
    const page = await attacker.get(pathOf(intrudersReportLink()));
    const onlyAddress = checkedUndo(page.body).filter((id) => id !== checkedUndo(page.body)[0]);
    await intruderReports(attacker, onlyAddress);
    assert.equal((await accountRow()).email, OWNER);
    assert.equal((await incidentRow()).state, 'disputed');
  });

  test('when the owner leaves the email unrestored, recovery still goes only to the address she had', async () => {
    await attackerTakesOver(m);
    const link = emailChangedReportLink(m);
    const owner = new TestClient(m.app);
    const page = await owner.get(pathOf(link));
    const emailStep = /<input type="checkbox" name="undo" value="([^"]+)" checked> <strong>Email address changed/.exec(
      page.body,
    )?.[1];
    assert.ok(emailStep);
    await owner.post('/report', {
      token: tokenOf(link),
      undo: checkedUndo(page.body).filter((id) => id !== emailStep),
    });
    assert.equal((await accountRow()).email, ATTACKER, 'left as the owner chose');
    assert.equal((await incidentRow()).state, 'waiting');
    m.clock.advance(5 * HOUR);
    await m.deliver();
    assert.equal(m.mailer.to(ATTACKER).filter((mail) => /Recover your/.test(mail.subject)).length, 0);
    assert.ok(m.mailer.link(OWNER, '/recover'));
  });

  test("the intruder's objection sends the case to a person and tells the owner at her address", async () => {
    await attackerTakesOver(m);
    await reportWithDefaults(m, emailChangedReportLink(m));
    await m.deliver();
    const objectLink = m.mailer.link(ATTACKER, '/object');
    const intruder = new TestClient(m.app);
    await intruder.get(pathOf(objectLink));
    assert.equal((await intruder.post('/object', { token: tokenOf(objectLink), message: 'Mine.' })).statusCode, 200);
    await m.deliver();
    assert.ok(m.mailer.to(OWNER).some((mail) => /objected/.test(mail.subject)));
    m.clock.advance(6 * HOUR);
    await m.deliver();
    assert.equal(m.mailer.sent.filter((mail) => /Recover your/.test(mail.subject)).length, 0);
  });

  test('forgot password during an incident: the owner is led to the incident page, the intruder gets nothing', async () => {
    const { attacker } = await attackerTakesOver(m);
    await intruderReports(attacker, []);
    await m.deliver();
    const before = m.mailer.sent.length;
    const someone = new TestClient(m.app);
    await someone.get('/forgot-password');
    const forOwner = await someone.post('/forgot-password', { email: OWNER });
    const forIntruder = await someone.post('/forgot-password', { email: ATTACKER });
    assert.equal(forOwner.statusCode, forIntruder.statusCode);
    await m.deliver();
    const sent = m.mailer.sent.slice(before);
    assert.deepEqual(
      sent.map((mail) => mail.to),
      [OWNER],
    );
    assert.match(sent[0]?.text ?? '', /\/incident\?token=/);
  });

  /** The owner is signed in at home; three days on, an intruder with her password asks to move the email to theirs. */
  async function intruderAsksForEmailChange(): Promise<{ owner: TestClient; attacker: TestClient; confirm: string }> {
    const { owner } = await signUpOwnerWithAttackerInside(m);
    const attacker = (await signIn(m, OWNER, PASSWORD, new TestClient(m.app, { 'user-agent': 'Intruder/1.0' }))).client;
    await attacker.get('/account');
    assert.equal(
      (await attacker.post('/account/email', { newEmail: ATTACKER, currentPassword: PASSWORD })).statusCode,
      303,
    );
    await m.deliver();
    await owner.get('/account');
    return { owner, attacker, confirm: m.mailer.link(ATTACKER, '/confirm-email') };
  }

  test("an intruder's email-change link dies when the owner changes the password and signs out everywhere", async () => {
    const { owner, attacker, confirm } = await intruderAsksForEmailChange();
    assert.equal(
      (
        await owner.post('/account/password', {
          currentPassword: PASSWORD,
          newPassword: 'a whole new phrase for me',
          signOutOthers: 'yes',
        })
      ).statusCode,
      303,
    );
    assert.equal((await attacker.get(pathOf(confirm))).statusCode, 400);
    assert.equal((await attacker.post('/confirm-email', { token: tokenOf(confirm) })).statusCode, 400);
    assert.equal((await accountRow()).email, OWNER);
  });

  test("an intruder's email-change link dies with the intruder's session when the owner ends it", async () => {
    const { owner, attacker, confirm } = await intruderAsksForEmailChange();
    assert.equal((await owner.post('/account/sessions/sign-out-everywhere')).statusCode, 303);
    assert.equal((await attacker.post('/confirm-email', { token: tokenOf(confirm) })).statusCode, 400);
    assert.equal((await accountRow()).email, OWNER);
  });

  test('an email-change link dies when the session that asked for it runs out', async () => {
    await m.close();
    m = await startMamori(store, { ...STORY_ENV, MAMORI_SESSION_IDLE_MINUTES: '60' });
    const session = await registerAndVerify(m, OWNER);
    assert.equal((await signIn(m, OWNER, PASSWORD, session)).res.statusCode, 303);
    await session.get('/account');
    assert.equal(
      (await session.post('/account/email', { newEmail: ATTACKER, currentPassword: PASSWORD })).statusCode,
      303,
    );
    await m.deliver();
    const confirm = m.mailer.link(ATTACKER, '/confirm-email');
    m.clock.advance(2 * HOUR);
    const elsewhere = new TestClient(m.app);
    await elsewhere.get('/sign-in');
    assert.equal((await elsewhere.post('/confirm-email', { token: tokenOf(confirm) })).statusCode, 400);
    assert.equal((await accountRow()).email, OWNER);
  });

  test('a wrong current password counts like a failed sign-in: at 100 the password stops working and the owner is told', async () => {
    const { owner: session } = await signUpOwnerWithAttackerInside(m);
    await session.get('/account');
    // Ten a minute is the route's own limit: the attempts are spread so only the password throttle speaks.
    for (let i = 0; i < 100; i += 1) {
      m.clock.advance(7_000);
      const res = await session.post('/account/email', { newEmail: ATTACKER, currentPassword: `wrong guess ${i}` });
      assert.equal(res.statusCode, 400, `attempt ${i}`);
    }
    m.clock.advance(7_000);
    assert.equal(
      (await session.post('/account/email', { newEmail: ATTACKER, currentPassword: PASSWORD })).statusCode,
      400,
      'the right password no longer works',
    );
    assert.ok((await accountRow()).password_disabled_at);
    await m.deliver();
    assert.ok(
      m.mailer.to(OWNER).some((mail) => /password/i.test(mail.subject)),
      'the owner is told',
    );
    assert.equal(m.mailer.to(ATTACKER).length, 0);
  });

  test("after containment the intruder's browser is a stranger again: no exemption from the per-address limit", async () => {
    await m.close();
    m = await startMamori(store, { ...STORY_ENV, MAMORI_SIGN_IN_LIMIT_PER_MINUTE: '3' });
    const { attacker } = await attackerTakesOver(m);
    m.clock.advance(60_000);
    await reportWithDefaults(m, emailChangedReportLink(m));
    assert.equal(
      (await m.deps.db.selectFrom('known_devices').select('device_id').execute()).length,
      1,
      "only the owner's browser",
    );
    await attacker.get('/sign-in');
    const tries = [];
    for (let i = 0; i < 4; i += 1)
      tries.push((await attacker.post('/sign-in', { email: OWNER, password: ATTACKER_PASSWORD })).statusCode);
    assert.deepEqual(tries, [401, 401, 401, 429]);
  });

  test('the store keeps one open incident per account, whatever a caller reads first', async () => {
    await attackerTakesOver(m);
    await reportWithDefaults(m, emailChangedReportLink(m));
    const first = await incidentRow();
    await assert.rejects(
      m.deps.db
        .insertInto('incidents')
        .values({
          ...first,
          id: '00000000-0000-4000-8000-000000000001',
          status_token_hash: 'another',
          first_response_at: null,
          assigned_staff_id: null,
        })
        .execute(),
    );
  });
});

async function signUpOwnerWithAttackerInside(m: TestMamori): Promise<{ owner: TestClient }> {
  const owner = await registerAndVerify(m, OWNER);
  assert.equal((await signIn(m, OWNER, PASSWORD, owner)).res.statusCode, 303);
  m.clock.advance(3 * 24 * HOUR);
  return { owner };
}
