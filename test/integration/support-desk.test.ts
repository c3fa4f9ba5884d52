import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { reportChange } from '../../src/services/incidents/report.ts';
import { addStaff, staffSeedContext } from '../../src/services/support/staff-accounts.ts';
import { registerAndVerify, signIn } from '../support/flows.ts';
import { forEachStore, memoryLogger, startMamori, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';
import { attackerTakesOver, emailChangedReportLink, reportWithDefaults, STORY_ENV } from '../support/story.ts';

const MINUTE = 60_000;

forEachStore('support desk: staff sign-in, access and the queue', (store) => {
  let m: TestMamori;
  let admin: { password: string; totpSecret: string };
  let agent: { password: string; totpSecret: string };
  beforeEach(async () => {
    m = await startMamori(store, STORY_ENV);
    admin = await addStaff(m.deps, { email: 'aiko@maple.example', name: 'Aiko Tanaka', role: 'admin' });
    agent = await addStaff(m.deps, { email: 'ken@maple.example', name: 'Ken Mori', role: 'agent' });
  });
  afterEach(async () => {
    await m.close();
  });

  const code = (secret: string) =>
    new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
      timestamp: m.clock.now().getTime(),
    });

  async function staffClient(email: string, who: { password: string; totpSecret: string }): Promise<TestClient> {
    const client = new TestClient(m.app);
    await client.get('/staff/sign-in');
    const res = await client.post('/staff/sign-in', { email, password: who.password, code: code(who.totpSecret) });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/staff');
    return client;
  }

  test('staff sign in with password and TOTP; either alone, a replayed code or an unknown address gets the same refusal', async () => {
    const client = new TestClient(m.app);
    await client.get('/staff/sign-in');
    const noCode = await client.post('/staff/sign-in', {
      email: 'aiko@maple.example',
      password: admin.password,
      code: '000000',
    });
    const wrongPassword = await client.post('/staff/sign-in', {
      email: 'aiko@maple.example',
      password: 'not the password',
      code: code(admin.totpSecret),
    });
    const unknown = await client.post('/staff/sign-in', {
      email: 'nobody@maple.example',
      password: admin.password,
      code: code(admin.totpSecret),
    });
    const strip = (body: string) => body.replace(/value="[^"]*"/g, '');
    for (const res of [noCode, wrongPassword, unknown]) assert.equal(res.statusCode, 401);
    assert.equal(strip(noCode.body), strip(unknown.body));
    assert.equal(strip(wrongPassword.body), strip(unknown.body));

    const used = code(admin.totpSecret);
    assert.equal(
      (await client.post('/staff/sign-in', { email: 'aiko@maple.example', password: admin.password, code: used }))
        .statusCode,
      303,
    );
    const replay = new TestClient(m.app);
    await replay.get('/staff/sign-in');
    assert.equal(
      (await replay.post('/staff/sign-in', { email: 'aiko@maple.example', password: admin.password, code: used }))
        .statusCode,
      401,
      'a code is accepted once',
    );
    assert.equal((await client.get('/staff')).statusCode, 200);
  });

  test('100 failed staff sign-ins switch the password off until an operator resets it; the answer never changes', async () => {
    const { resetStaffPassword } = await import('../../src/services/support/staff-accounts.ts');
    const { staffSignIn } = await import('../../src/services/support/staff-accounts.ts');
    for (let i = 0; i < 100; i += 1) {
      m.clock.advance(61 * MINUTE); // past every delay: only the cap is under test
      await assert.rejects(
        staffSignIn(
          m.deps,
          { email: 'aiko@maple.example', password: `guess ${i}`, code: '000000' },
          { ip: `198.51.100.${i % 250}`, userAgent: 'x' },
        ),
        /INVALID_CREDENTIALS/,
      );
    }
    m.clock.advance(61 * MINUTE);
    const right = () =>
      staffSignIn(
        m.deps,
        { email: 'aiko@maple.example', password: admin.password, code: code(admin.totpSecret) },
        { ip: '203.0.113.9', userAgent: 'x' },
      );
    await assert.rejects(right(), /INVALID_CREDENTIALS/, 'the right password and code no longer work');
    const fresh = await resetStaffPassword(m.deps, 'aiko@maple.example');
    m.clock.advance(MINUTE);
    const signedIn = await staffSignIn(
      m.deps,
      { email: 'aiko@maple.example', password: fresh, code: code(admin.totpSecret) },
      { ip: '203.0.113.9', userAgent: 'x' },
    );
    assert.ok(signedIn.token);
  });

  test('a staff seed is stored sealed to its member; one stored in plain by an earlier version is sealed at the next sign-in', async () => {
    const stored = async () =>
      await m.deps.db
        .selectFrom('staff_members')
        .select(['id', 'totp_secret'])
        .where('email', '=', 'aiko@maple.example')
        .executeTakeFirstOrThrow();
    const sealed = await stored();
    assert.ok(!sealed.totp_secret.includes(admin.totpSecret), 'not in plain');
    assert.equal(m.deps.secrets.open(sealed.totp_secret, staffSeedContext(sealed.id)), admin.totpSecret);
    assert.throws(() => m.deps.secrets.open(sealed.totp_secret, `totp-seed:${sealed.id}`), 'not a customer seed');

    await m.deps.db
      .updateTable('staff_members')
      .set({ totp_secret: admin.totpSecret })
      .where('id', '=', sealed.id)
      .execute();
    await staffClient('aiko@maple.example', admin);
    const after = await stored();
    assert.notEqual(after.totp_secret, admin.totpSecret);
    assert.equal(m.deps.secrets.open(after.totp_secret, staffSeedContext(after.id)), admin.totpSecret);
  });

  test('a customer session, a forged staff cookie or a customer token in the staff cookie reach nothing; sessions end after 30 idle minutes', async () => {
    await registerAndVerify(m, 'hana@example.com');
    const { client: customer } = await signIn(m, 'hana@example.com');
    assert.equal((await customer.get('/api/session')).statusCode, 200);
    assert.equal(
      (await customer.get('/staff')).headers.location,
      '/staff/sign-in',
      'a customer session is not a staff session',
    );
    const forged = new TestClient(m.app);
    forged.cookies.set('mamori_staff', 'A'.repeat(43));
    assert.equal((await forged.get('/staff')).statusCode, 303);
    assert.equal((await forged.get('/staff/team')).headers.location, '/staff/sign-in');

    const staff = await staffClient('aiko@maple.example', admin);
    const token = staff.cookies.get('mamori_staff') ?? '';
    const asCustomer = new TestClient(m.app);
    asCustomer.cookies.set('mamori_session', token);
    assert.equal((await asCustomer.get('/api/session')).statusCode, 401, 'a staff token is not a customer session');
    assert.equal((await staff.get('/staff')).statusCode, 200);
    m.clock.advance(31 * MINUTE);
    assert.equal((await staff.get('/staff')).headers.location, '/staff/sign-in');
  });

  test('an agent cannot reach an admin page (403, with a message); an admin can; posts without CSRF are refused', async () => {
    const ken = await staffClient('ken@maple.example', agent);
    const refused = await ken.get('/staff/team');
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /needs an administrator/);
    const aiko = await staffClient('aiko@maple.example', admin);
    const team = await aiko.get('/staff/team');
    assert.equal(team.statusCode, 200);
    assert.match(team.body, /Ken Mori/);
    assert.equal((await aiko.post('/staff/sign-out', { _csrf: '' })).statusCode, 403);
    assert.equal((await aiko.get('/staff')).statusCode, 200, 'still signed in');
  });

  test("the queue lists the incident and the owner's call-back with their clocks, closest to breaching first, and filters by kind", async () => {
    await attackerTakesOver(m);
    const statusPath = await reportWithDefaults(m, emailChangedReportLink(m));
    const owner = new TestClient(m.app);
    await owner.get(statusPath);
    const token = new URL(statusPath, 'http://x').searchParams.get('token') ?? '';
    m.clock.advance(10 * MINUTE);
    assert.equal(
      (await owner.post('/incident/callback', { token, phone: '+81 90-1234-5678', preferredTime: 'today after 18:00' }))
        .statusCode,
      303,
    );
    m.clock.advance(40 * MINUTE);

    const staff = await staffClient('ken@maple.example', agent);
    const page = await staff.get('/staff');
    const rows = [
      ...page.body.matchAll(
        /<tr data-case="[^"]+"[^>]*>\s*<td><span class="clock[^"]*" data-testid="clock">([^<]+)<\/span><\/td>\s*<td>([^<]+)/g,
      ),
    ].map((r) => [r[1], r[2]]);
    // The call-back came 40 minutes ago (first response due in 20); the incident, contained at once by
    // the owner's click, runs only its recovery clock (24 h).
    assert.deepEqual(rows, [
      ['first response due in 20 min', 'Call back'],
      ['recovery due in 23 h 10 min', 'Incident · waiting period'],
    ]);
    m.clock.advance(25 * MINUTE);
    const later = await staff.get('/staff');
    assert.match(later.body, /class="clock late" data-testid="clock">first response late by 5 min/);
    const callbacks = await staff.get('/staff?kind=callback');
    assert.match(callbacks.body, /\+81 90-1234-5678 · today after 18:00/);
    assert.doesNotMatch(callbacks.body, /waiting period/);
    assert.equal((await staff.get('/staff?kind=nonsense')).statusCode, 200);
  });

  /** The story up to a contained incident with the owner's call-back request; returns the owner's status page client. */
  async function incidentWithCallback() {
    await attackerTakesOver(m);
    const statusPath = await reportWithDefaults(m, emailChangedReportLink(m));
    const owner = new TestClient(m.app);
    await owner.get(statusPath);
    const token = new URL(statusPath, 'http://x').searchParams.get('token') ?? '';
    assert.equal(
      (await owner.post('/incident/callback', { token, phone: '+81 90-1234-5678', preferredTime: 'today after 18:00' }))
        .statusCode,
      303,
    );
    const incident = await m.deps.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    const request = await m.deps.db.selectFrom('support_requests').selectAll().executeTakeFirstOrThrow();
    return { owner, statusPath, incident, request, base: `/staff/accounts/${incident.account_id}` };
  }

  const staffLog = async () =>
    (
      await m.deps.db
        .selectFrom('account_log')
        .select(['kind', 'actor_type', 'actor_device'])
        .where('actor_type', '=', 'staff')
        .orderBy('seq')
        .execute()
    ).map((r) => [r.kind, r.actor_device]);

  test('an agent replies (mailed, on the incident page, first-response clock stopped) and logs the call (request closed); every action is on the record', async () => {
    const { owner, statusPath, incident, request, base } = await incidentWithCallback();
    const ken = await staffClient('ken@maple.example', agent);
    const page = await ken.get(base);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Undo plan/);
    assert.match(page.body, /\+81 90-1234-5678/);
    assert.doesNotMatch(page.body, /password_hash|\$argon2/);

    const reply = await ken.post(`${base}/reply`, {
      incidentId: incident.id,
      requestId: request.id,
      body: 'We secured your account. I will call you after 18:00.',
    });
    assert.equal(reply.headers.location, `${base}?done=reply`);
    await m.deliver();
    const mail = m.mailer.to('taro@example.com').find((x) => /A reply from Maple Market support/.test(x.subject));
    assert.match(mail?.text ?? '', /I will call you after 18:00\.[\s\S]*Ken Mori, Maple Market support/);
    assert.match(
      (await owner.get(statusPath)).body,
      /data-testid="support-replies">[\s\S]*I will call you after 18:00/,
    );
    const after = await m.deps.db.selectFrom('incidents').select('first_response_at').executeTakeFirstOrThrow();
    assert.equal(after.first_response_at, m.clock.now().toISOString());

    assert.equal(
      (
        await ken.post(`${base}/call`, {
          incidentId: incident.id,
          requestId: request.id,
          outcome: 'reached',
          duration: '6',
          notes: 'Confirmed identity details; explained recovery.',
        })
      ).statusCode,
      303,
    );
    assert.notEqual(
      (await m.deps.db.selectFrom('support_requests').select('closed_at').executeTakeFirstOrThrow()).closed_at,
      null,
    );
    assert.doesNotMatch((await ken.get('/staff')).body, /today after 18:00/, 'the answered call-back leaves the queue');
    assert.equal((await ken.post(`${base}/assign`, { kind: 'incident', id: incident.id })).statusCode, 303);
    assert.match((await ken.get(base)).body, /held by Ken Mori/);
    assert.match((await ken.get('/staff')).body, /held by Ken Mori/, 'the queue shows who holds the case');
    assert.deepEqual(await staffLog(), [
      ['support-reply', 'Ken Mori <ken@maple.example>'],
      ['call-logged', 'Ken Mori <ken@maple.example>'],
      ['case-assigned', 'Ken Mori <ken@maple.example>'],
    ]);
  });

  test('changing a wait needs a reason, which goes on the record; then recovery opens on the next tick', async () => {
    const { incident, base } = await incidentWithCallback();
    const ken = await staffClient('ken@maple.example', agent);
    const noReason = await ken.post(`${base}/incidents/${incident.id}/wait`, { minutes: '0' });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /This field is required/);
    assert.equal(
      (await m.deps.db.selectFrom('incidents').select('wait_until').executeTakeFirstOrThrow()).wait_until,
      incident.wait_until,
    );
    assert.equal(
      (
        await ken.post(`${base}/incidents/${incident.id}/wait`, {
          minutes: '0',
          reason: 'Owner verified by phone with the old address.',
        })
      ).statusCode,
      303,
    );
    await m.deliver();
    assert.ok(
      m.mailer.to('taro@example.com').some((x) => /Recover your Maple Market account now/.test(x.subject)),
      'a shortened wait opens recovery on the next tick',
    );
    const log = await m.deps.db
      .selectFrom('account_log')
      .select(['kind', 'after_value'])
      .where('kind', '=', 'wait-changed')
      .executeTakeFirstOrThrow();
    assert.match(log.after_value ?? '', /Owner verified by phone/);
  });

  test('an admin decides a dispute for the owner: recovery opens at once; both sides were on the case page', async () => {
    const { incident, base } = await incidentWithCallback();
    await m.deliver();
    const objectLink = m.mailer.link('evil@example.net', '/object');
    const other = new TestClient(m.app);
    await other.get(objectLink.replace(/^https?:\/\/[^/]+/, ''));
    assert.equal(
      (
        await other.post('/object', {
          token: new URL(objectLink).searchParams.get('token') ?? '',
          message: 'This is my account, I changed the email myself.',
        })
      ).statusCode,
      200,
    );
    const aiko = await staffClient('aiko@maple.example', admin);
    const page = await aiko.get(base);
    assert.match(page.body, /Both sides/);
    assert.match(page.body, /This is my account, I changed the email myself\./);
    const ken = await staffClient('ken@maple.example', agent);
    const refused = await ken.post(`${base}/incidents/${incident.id}/resolve`, { decision: 'owner', reason: 'x' });
    assert.equal(refused.statusCode, 403, 'deciding a dispute is an admin action');
    assert.match(refused.body, /needs an administrator/);
    assert.equal((await m.deps.db.selectFrom('incidents').select('state').executeTakeFirstOrThrow()).state, 'disputed');
    assert.equal(
      (
        await aiko.post(`${base}/incidents/${incident.id}/resolve`, {
          decision: 'owner',
          reason: 'Old address holder answered the call; the objector could not.',
        })
      ).statusCode,
      303,
    );
    assert.equal(
      (await m.deps.db.selectFrom('incidents').select('state').executeTakeFirstOrThrow()).state,
      'recovery-open',
    );
    await m.deliver();
    assert.ok(m.mailer.to('taro@example.com').some((x) => /Recover your Maple Market account now/.test(x.subject)));
  });

  test('hostile or oversized replies, stranger ids and posts without CSRF are refused with a clear answer and change nothing', async () => {
    const { incident, base } = await incidentWithCallback();
    const ken = await staffClient('ken@maple.example', agent);
    const before = await staffLog();
    const hostile = await ken.post(`${base}/reply`, { incidentId: incident.id, body: '<script>alert(1)</script>' });
    assert.equal(hostile.statusCode, 400);
    assert.match(hostile.body, /Please leave out &lt; and &gt;/);
    assert.equal(
      (await ken.post(`${base}/reply`, { incidentId: incident.id, body: 'x'.repeat(4001) })).statusCode,
      400,
    );
    const stranger = await ken.post(`/staff/accounts/00000000-0000-4000-8000-000000000000/reply`, {
      incidentId: incident.id,
      body: 'Hello',
    });
    assert.equal(stranger.statusCode, 404);
    assert.equal(
      (await ken.post(`${base}/reply`, { incidentId: incident.id, body: 'Hello', _csrf: '' })).statusCode,
      403,
    );
    assert.equal((await ken.post(`${base}/reply`, { incidentId: 'not-a-uuid', body: 'Hello' })).statusCode, 400);
    assert.deepEqual(await staffLog(), before);
    assert.equal((await m.deps.db.selectFrom('support_notes').selectAll().execute()).length, 0);
  });

  test('the dashboard counts incidents by who opened them and shows medians and 90th percentiles of each clock, with plots', async () => {
    const { incident, request, base } = await incidentWithCallback();
    m.clock.advance(20 * MINUTE);
    const ken = await staffClient('ken@maple.example', agent);
    await ken.post(`${base}/reply`, { incidentId: incident.id, requestId: request.id, body: 'We are on it.' });
    const page = await ken.get('/staff/dashboard?days=7');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-testid="incidents-opened">1</);
    assert.match(page.body, /data-testid="opened-by-customer">1</);
    const firstResponse = /<th scope="row">first response<\/th><td>(\d+)<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td>/.exec(
      page.body,
    );
    assert.deepEqual(
      firstResponse?.slice(1),
      ['1', '20 min', '20 min'],
      'the call-back, answered 20 minutes after it came',
    );
    assert.match(page.body, /<th scope="row">containment<\/th><td>1<\/td><td>0 min<\/td>/);
    assert.equal((page.body.match(/<svg class="chart"/g) ?? []).length, 3);
    assert.equal(
      (await ken.get('/staff/dashboard?days=1000')).statusCode,
      200,
      'an unknown period falls back to 30 days',
    );
    const ja = await ken.get('/staff/dashboard', { 'accept-language': 'ja' });
    assert.match(ja.body, /ダッシュボード/);
  });

  test('support contains an account from the change the customer names; the owner gets the incident mail; the dashboard counts it as opened by support', async () => {
    await attackerTakesOver(m);
    const account = await m.deps.db
      .selectFrom('accounts')
      .select('id')
      .where('email', '=', 'evil@example.net')
      .executeTakeFirstOrThrow();
    const change = await m.deps.db
      .selectFrom('account_log')
      .select('id')
      .where('account_id', '=', account.id)
      .where('kind', '=', 'email-changed')
      .executeTakeFirstOrThrow();
    const ken = await staffClient('ken@maple.example', agent);
    const base = `/staff/accounts/${account.id}`;
    assert.match((await ken.get(base)).body, /Contain the account/);
    assert.equal(
      (await ken.post(`${base}/contain`, { changeId: '00000000-0000-4000-8000-000000000000' })).statusCode,
      404,
    );
    assert.equal((await ken.post(`${base}/contain`, { changeId: change.id })).statusCode, 303);
    const incident = await m.deps.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    assert.equal(incident.opened_by, 'staff');
    assert.equal(incident.state, 'waiting');
    const restored = await m.deps.db
      .selectFrom('accounts')
      .select(['email', 'status'])
      .where('id', '=', account.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(restored, { email: 'taro@example.com', status: 'locked' });
    await m.deliver();
    assert.ok(m.mailer.to('taro@example.com').some((x) => /We secured your Maple Market account/.test(x.subject)));
    const again = await ken.post(`${base}/contain`, { changeId: change.id });
    assert.equal(again.statusCode, 409, 'one open incident at a time');
    assert.match((await ken.get('/staff/dashboard?days=7')).body, /opened by support<\/dt><dd>1</);
    assert.deepEqual((await staffLog()).slice(0, 1), [['incident-opened', 'Ken Mori <ken@maple.example>']]);
  });

  test('an admin undoes one change the owner left unticked; an agent cannot', async () => {
    await attackerTakesOver(m);
    await m.deliver();
    const link = emailChangedReportLink(m);
    const token = new URL(link).searchParams.get('token') ?? '';
    const emailChange = await m.deps.db
      .selectFrom('account_log')
      .select('id')
      .where('kind', '=', 'email-changed')
      .executeTakeFirstOrThrow();
    const address = await m.deps.db
      .selectFrom('account_log')
      .select(['id', 'account_id'])
      .where('kind', '=', 'address-added')
      .executeTakeFirstOrThrow();
    await reportChange(m.deps, token, new Set([emailChange.id]), { ip: '127.0.0.1', userAgent: 'Safari' });
    const incident = await m.deps.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    const base = `/staff/accounts/${incident.account_id}`;
    const liveAddresses = () =>
      m.deps.db
        .selectFrom('addresses')
        .select('id')
        .where('account_id', '=', incident.account_id)
        .where('removed_at', 'is', null)
        .execute();
    assert.equal((await liveAddresses()).length, 1, "the attacker's address was left (unticked)");
    const ken = await staffClient('ken@maple.example', agent);
    assert.equal((await ken.post(`${base}/incidents/${incident.id}/undo`, { changeId: address.id })).statusCode, 403);
    const aiko = await staffClient('aiko@maple.example', admin);
    assert.match((await aiko.get(base)).body, /Undo this now/);
    assert.equal((await aiko.post(`${base}/incidents/${incident.id}/undo`, { changeId: address.id })).statusCode, 303);
    assert.equal((await liveAddresses()).length, 0);
    assert.equal(
      (await aiko.post(`${base}/incidents/${incident.id}/undo`, { changeId: address.id })).statusCode,
      409,
      'already undone',
    );
    const logged = await m.deps.db
      .selectFrom('account_log')
      .select(['kind', 'actor_device'])
      .where('kind', '=', 'change-undone')
      .where('actor_type', '=', 'staff')
      .execute();
    assert.deepEqual(logged, [{ kind: 'change-undone', actor_device: 'Aiko Tanaka <aiko@maple.example>' }]);
  });

  test('admins see every staff action on every account; closing a request is on the record too', async () => {
    const { request, base } = await incidentWithCallback();
    const ken = await staffClient('ken@maple.example', agent);
    assert.equal((await ken.post(`${base}/requests/${request.id}/close`)).statusCode, 303);
    assert.equal((await ken.post(`${base}/requests/${request.id}/close`)).statusCode, 409, 'already closed');
    assert.equal((await ken.get('/staff/audit')).statusCode, 403);
    const aiko = await staffClient('aiko@maple.example', admin);
    const audit = await aiko.get('/staff/audit');
    assert.equal(audit.statusCode, 200);
    assert.match(
      audit.body,
      /Ken Mori &lt;ken@maple.example&gt;<\/td><td>Support closed a request<\/td><td><a href="\/staff\/accounts\/[0-9a-f-]+">taro@example.com/,
    );
  });

  test('a case can be given to another agent; an unknown staff id is refused', async () => {
    const { incident, base } = await incidentWithCallback();
    const ken = await m.deps.db
      .selectFrom('staff_members')
      .select('id')
      .where('email', '=', 'ken@maple.example')
      .executeTakeFirstOrThrow();
    const aiko = await staffClient('aiko@maple.example', admin);
    assert.match((await aiko.get(base)).body, /<option value="[0-9a-f-]+">Ken Mori<\/option>/);
    assert.equal(
      (
        await aiko.post(`${base}/assign`, {
          kind: 'incident',
          id: incident.id,
          to: '00000000-0000-4000-8000-000000000000',
        })
      ).statusCode,
      404,
    );
    assert.equal(
      (await aiko.post(`${base}/assign`, { kind: 'incident', id: incident.id, to: ken.id })).statusCode,
      303,
    );
    assert.match((await aiko.get('/staff')).body, /held by Ken Mori/);
    const log = await m.deps.db
      .selectFrom('account_log')
      .select(['actor_device', 'after_value'])
      .where('kind', '=', 'case-assigned')
      .executeTakeFirstOrThrow();
    assert.equal(log.actor_device, 'Aiko Tanaka <aiko@maple.example>');
    assert.match(log.after_value ?? '', /ken@maple.example/);
  });
});

forEachStore('support desk: refused attempts are logged', (store) => {
  test('a forged staff cookie, a post without CSRF and an agent on an admin page are logged, without the cookie value', async () => {
    const { log, lines } = memoryLogger();
    const m = await startMamori(store, STORY_ENV, { log });
    try {
      const agent = await addStaff(m.deps, { email: 'ken@maple.example', name: 'Ken Mori', role: 'agent' });
      const forged = new TestClient(m.app);
      forged.cookies.set('mamori_staff', 'F'.repeat(43));
      assert.equal((await forged.get('/staff')).statusCode, 303);
      const ken = new TestClient(m.app);
      await ken.get('/staff/sign-in');
      const code = new TOTP({ secret: Secret.fromBase32(agent.totpSecret), digits: 6, period: 30 }).generate({
        timestamp: m.clock.now().getTime(),
      });
      assert.equal(
        (await ken.post('/staff/sign-in', { email: 'ken@maple.example', password: agent.password, code })).statusCode,
        303,
      );
      assert.equal((await ken.get('/staff/team')).statusCode, 403);
      assert.equal((await ken.post('/staff/sign-out', { _csrf: 'forged' })).statusCode, 403);
      const events = lines.map((l) => l.event).filter(Boolean);
      for (const event of ['session_invalid', 'authz_fail', 'csrf_fail', 'authn_login_success', 'user_created'])
        assert.ok(events.includes(event), `${event} in ${events.join(',')}`);
      const all = JSON.stringify(lines);
      assert.ok(!all.includes('F'.repeat(43)), 'the forged cookie value is not logged');
      assert.ok(!all.includes(agent.password), 'no password in the log');
    } finally {
      await m.close();
    }
  });
});

test('mamori staff reset-password: prints a new password once; an unknown address is exit 1, bad arguments exit 2', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'mamori-staff-'));
  const env = {
    PATH: process.env.PATH ?? '',
    MAMORI_DATABASE_URL: `sqlite:${join(dir, 'mamori.sqlite')}`,
    MAMORI_LOG_LEVEL: 'silent',
    MAMORI_DEMO_ACCOUNT: 'false',
  };
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'staff', ...args], { env, encoding: 'utf8' });
  try {
    assert.equal(cli('add', '--email', 'aiko@maple.example', '--name', 'Aiko').status, 0);
    const reset = cli('reset-password', '--email', 'aiko@maple.example');
    assert.equal(reset.status, 0, reset.stderr);
    assert.match(reset.stdout, /^New password for aiko@maple\.example \(shown once\): [A-Za-z0-9_-]{24}$/m);
    const unknown = cli('reset-password', '--email', 'nobody@maple.example');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stdout, /no staff member has the address/);
    assert.equal(cli('reset-password', '--email', 'not an address').status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
