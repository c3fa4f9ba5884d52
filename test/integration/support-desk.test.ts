import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { addStaff } from '../../src/services/staff/staff-accounts.ts';
import { registerAndVerify, signIn } from '../support/flows.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
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

  const code = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: m.clock.now().getTime() });

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
    const noCode = await client.post('/staff/sign-in', { email: 'aiko@maple.example', password: admin.password, code: '000000' });
    const wrongPassword = await client.post('/staff/sign-in', { email: 'aiko@maple.example', password: 'not the password', code: code(admin.totpSecret) });
    const unknown = await client.post('/staff/sign-in', { email: 'nobody@maple.example', password: admin.password, code: code(admin.totpSecret) });
    const strip = (body: string) => body.replace(/value="[^"]*"/g, '');
    for (const res of [noCode, wrongPassword, unknown]) assert.equal(res.statusCode, 401);
    assert.equal(strip(noCode.body), strip(unknown.body));
    assert.equal(strip(wrongPassword.body), strip(unknown.body));

    const used = code(admin.totpSecret);
    assert.equal((await client.post('/staff/sign-in', { email: 'aiko@maple.example', password: admin.password, code: used })).statusCode, 303);
    const replay = new TestClient(m.app);
    await replay.get('/staff/sign-in');
    assert.equal((await replay.post('/staff/sign-in', { email: 'aiko@maple.example', password: admin.password, code: used })).statusCode, 401, 'a code is accepted once');
    assert.equal((await client.get('/staff')).statusCode, 200);
  });

  test('a customer session, a forged staff cookie or a customer token in the staff cookie reach nothing; sessions end after 30 idle minutes', async () => {
    await registerAndVerify(m, 'hana@example.com');
    const { client: customer } = await signIn(m, 'hana@example.com');
    assert.equal((await customer.get('/api/session')).statusCode, 200);
    assert.equal((await customer.get('/staff')).headers.location, '/staff/sign-in', 'a customer session is not a staff session');
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

  test('the queue lists the incident and the owner\'s call-back with their clocks, closest to breaching first, and filters by kind', async () => {
    await attackerTakesOver(m);
    const statusPath = await reportWithDefaults(m, emailChangedReportLink(m));
    const owner = new TestClient(m.app);
    await owner.get(statusPath);
    const token = new URL(statusPath, 'http://x').searchParams.get('token') ?? '';
    m.clock.advance(10 * MINUTE);
    assert.equal((await owner.post('/incident/callback', { token, phone: '+81 90-1234-5678', preferredTime: 'today after 18:00' })).statusCode, 303);
    m.clock.advance(40 * MINUTE);

    const staff = await staffClient('ken@maple.example', agent);
    const page = await staff.get('/staff');
    const rows = [...page.body.matchAll(/<tr data-case="[^"]+"[^>]*>\s*<td><span class="clock[^"]*" data-testid="clock">([^<]+)<\/span><\/td>\s*<td>([^<]+)/g)].map((r) => [r[1], r[2]]);
    // The incident opened 50 minutes ago (first response due in 10), the call-back 40 minutes ago (due in 20).
    assert.deepEqual(rows, [
      ['first response due in 10 min', 'Incident · waiting period'],
      ['first response due in 20 min', 'Call back'],
    ]);
    m.clock.advance(15 * MINUTE);
    const later = await staff.get('/staff');
    assert.match(later.body, /class="clock late" data-testid="clock">first response late by 5 min/);
    const callbacks = await staff.get('/staff?kind=callback');
    assert.match(callbacks.body, /\+81 90-1234-5678 · today after 18:00/);
    assert.doesNotMatch(callbacks.body, /waiting period/);
    assert.equal((await staff.get('/staff?kind=nonsense')).statusCode, 200);
  });
});
