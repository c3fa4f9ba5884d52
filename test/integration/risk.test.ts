import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { fixedGeoLocator } from '../../src/platform/geoip.ts';
import { hashToken } from '../../src/platform/token-hash.ts';
import { signIn as signInService } from '../../src/services/sign-in/password-step.ts';
import { readSignInSubject } from '../../src/services/sign-in/throttle.ts';
import { findAccountByEmail } from '../../src/store/accounts.ts';
import { forgetDevices, rememberDevice } from '../../src/store/devices.ts';
import { PASSWORD, postSignIn, registerAndVerify, signIn } from '../support/flows.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';

const MINUTE = 60_000;
/** Fixed GeoIP answers: two Tokyo addresses, one in the USA. */
const geo = fixedGeoLocator({ '133.242.0.10': 'JP', '133.242.0.11': 'JP', '8.8.8.8': 'US' });

function clientAt(m: TestMamori, ip: string): TestClient {
  const client = new TestClient(m.app);
  client.remoteAddress = ip;
  return client;
}

async function decisions(m: TestMamori) {
  const rows = await m.deps.db
    .selectFrom('risk_decisions')
    .select(['decision', 'score', 'reasons', 'action'])
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ ...r, reasons: (JSON.parse(r.reasons) as { code: string }[]).map((x) => x.code) }));
}

forEachStore('risk engine and challenges', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store, {}, { geo });
    m.clock.advance(0);
  });
  afterEach(async () => {
    await m.close();
  });

  /** An account whose owner signed in from a Tokyo browser two days ago. */
  async function ownerAtHome(email = 'hana@example.com'): Promise<TestClient> {
    await registerAndVerify(m, email);
    const home = clientAt(m, '133.242.0.10');
    const { res } = await signIn(m, email, PASSWORD, home);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/account');
    m.clock.advance(2 * 24 * 60 * MINUTE);
    return home;
  }

  test('a known browser is allowed; a new one with the right password is challenged and no session exists until the mailed code', async () => {
    const home = await ownerAtHome();
    assert.equal(
      (await postSignIn(home, 'hana@example.com')).headers.location,
      '/account',
      'known browser: straight in',
    );
    // A minute later (decisions made at one moment have no order among them).
    m.clock.advance(MINUTE);

    const other = clientAt(m, '133.242.0.11');
    const res = await postSignIn(other, 'hana@example.com');
    assert.equal(res.statusCode, 303);
    assert.match(String(res.headers.location), /^\/sign-in\/two-step/);
    assert.equal((await other.get('/api/session')).statusCode, 401);
    const page = await other.get('/sign-in/two-step');
    assert.match(page.body, /We sent a 6-digit code/);

    await m.deliver();
    const mail = m.mailer.to('hana@example.com').at(-1);
    assert.match(mail?.subject ?? '', /Your sign-in code for Maple Market/);
    assert.match(mail?.text ?? '', /Chrome 131 · Linux/);
    const code = m.mailer.signInCode('hana@example.com');
    const done = await other.post('/sign-in/two-step', { code });
    assert.equal(done.statusCode, 303);
    assert.equal((await other.get('/api/session')).statusCode, 200);

    const log = await decisions(m);
    assert.deepEqual(
      log.map((d) => d.decision),
      ['allow', 'allow', 'challenge'],
    );
    assert.deepEqual(log[2]?.reasons, ['new-device']);
    const sessions = await m.deps.db.selectFrom('sessions').select('risk_decision').execute();
    assert.deepEqual(
      sessions.map((s) => s.risk_decision).sort(),
      ['allow', 'allow', 'challenge'],
      'the session remembers it was challenged (holds read this)',
    );
  });

  test('a browser the owner forgets while its password is being checked signs in as a new browser, not on the standing read before', async () => {
    const home = await ownerAtHome();
    const deviceId = hashToken(home.cookies.get('mamori_device') ?? '');
    const origin = {
      ip: '133.242.0.10',
      userAgent: String(home.headers['user-agent']),
      sessionId: null,
      deviceId,
      country: 'JP',
    };
    // What POST /sign-in reads first (for the limit for strangers): the account, and this browser as known.
    const firstRead = await readSignInSubject(m.deps, 'hana@example.com', deviceId, origin.ip);
    assert.ok(firstRead.device?.firstSeenAt, 'the browser is known when the request arrives');
    const account = await findAccountByEmail(m.deps.db, 'hana@example.com');
    // Her phone stays known; the browser at home is the one she forgets.
    await rememberDevice(m.deps.db, account?.id ?? '', hashToken('her phone'), m.clock.now().toISOString());
    await forgetDevices(m.deps.db, account?.id ?? '', [deviceId]);
    const result = await signInService(m.deps, { email: 'hana@example.com', password: PASSWORD }, origin, firstRead);
    assert.equal(result.kind, 'second-step', 'a forgotten browser is challenged like any new one');
  });

  test('a sign-in whose session cannot be written leaves nothing behind: no allow decision, no second session', async () => {
    const home = await ownerAtHome();
    const origin = {
      ip: '133.242.0.10',
      userAgent: String(home.headers['user-agent']),
      sessionId: null,
      deviceId: hashToken(home.cookies.get('mamori_device') ?? ''),
      country: 'JP',
    };
    const before = await decisions(m);
    const sessionsBefore = await m.deps.db.selectFrom('sessions').select('id').execute();
    // The new session's token is one already in use: its insert fails after the decision was written.
    const { random } = m.deps;
    const takenToken = home.cookies.get('mamori_session') ?? '';
    m.deps.random = { ...random, token: () => takenToken };
    try {
      await assert.rejects(
        signInService(m.deps, { email: 'hana@example.com', password: PASSWORD }, origin),
        /UNIQUE|duplicate key/,
      );
    } finally {
      m.deps.random = random;
    }
    assert.deepEqual(await decisions(m), before, 'the allow decision went with the failed session');
    assert.equal((await m.deps.db.selectFrom('sessions').select('id').execute()).length, sessionsBefore.length);
    assert.equal((await postSignIn(home, 'hana@example.com')).headers.location, '/account', 'the store still works');
  });

  test('mailed codes: wrong ones count, a used one is refused, they expire after 10 minutes, a resend replaces the old, 5 wrong ones end it', async () => {
    await ownerAtHome();
    const other = clientAt(m, '133.242.0.11');
    await postSignIn(other, 'hana@example.com');
    await m.deliver();
    const first = m.mailer.signInCode('hana@example.com');
    const wrong = first === '111111' ? '222222' : '111111';
    const refused = await other.post('/sign-in/two-step', { code: wrong });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /That code is not valid/);
    assert.equal(
      (
        await m.deps.db
          .selectFrom('sign_in_throttle')
          .select('failures')
          .where('key', 'not like', 'ip:%')
          .executeTakeFirstOrThrow()
      ).failures,
      1,
      'codes share the throttle (C4)',
    );

    assert.equal((await other.post('/sign-in/two-step/resend')).statusCode, 303);
    await m.deliver();
    const second = m.mailer.signInCode('hana@example.com');
    if (second !== first)
      assert.equal(
        (await other.post('/sign-in/two-step', { code: first })).statusCode,
        400,
        'the old code no longer works',
      );

    m.clock.advance(11 * MINUTE);
    const late = await other.post('/sign-in/two-step', { code: second });
    assert.equal(late.statusCode, 400);
    assert.match(late.body, /This sign-in has expired/);
  });

  test('five wrong mailed codes use the code up: even the right one is then refused', async () => {
    await ownerAtHome();
    const other = clientAt(m, '133.242.0.11');
    await postSignIn(other, 'hana@example.com');
    await m.deliver();
    const code = m.mailer.signInCode('hana@example.com');
    const bad = code === '000000' ? '999999' : '000000';
    for (let i = 0; i < 4; i += 1) assert.equal((await other.post('/sign-in/two-step', { code: bad })).statusCode, 400);
    const fifth = await other.post('/sign-in/two-step', { code: bad });
    assert.equal(fifth.statusCode, 429);
    assert.match(fifth.body, /Too many wrong codes/);
    m.clock.advance(60_000);
    const exhausted = await other.post('/sign-in/two-step', { code });
    assert.equal(exhausted.statusCode, 429);
    assert.match(exhausted.body, /Too many wrong codes/);
    assert.equal((await other.get('/api/session')).statusCode, 401);
  });

  test('a used code cannot be replayed into a second session', async () => {
    await ownerAtHome();
    const other = clientAt(m, '133.242.0.11');
    await postSignIn(other, 'hana@example.com');
    await m.deliver();
    const code = m.mailer.signInCode('hana@example.com');
    assert.equal((await other.post('/sign-in/two-step', { code })).statusCode, 303);
    await other.get('/account'); // the form token is renewed with the new session
    const again = await other.post('/sign-in/two-step', { code });
    assert.equal(again.statusCode, 400);
  });

  test('a new country and impossible travel are named; a stuffing source with the right password is denied with the same answer as a wrong one', async () => {
    await ownerAtHome();
    // Tokyo two days ago, the USA now, from a new browser: challenged, with the reasons named.
    const abroad = clientAt(m, '8.8.8.8');
    await postSignIn(abroad, 'hana@example.com');
    const travel = (await decisions(m)).at(-1);
    assert.deepEqual(travel?.reasons, ['new-device', 'new-country']);
    assert.equal(travel?.decision, 'challenge');

    // The same source now fails 10 times on other addresses (a stuffing run), then tries the right password.
    for (let i = 0; i < 10; i += 1)
      await postSignIn(clientAt(m, '8.8.8.8'), `victim${i}@example.com`, 'wrong password guess');
    m.clock.advance(MINUTE);
    const stuffer = clientAt(m, '8.8.8.8');
    const denied = await postSignIn(stuffer, 'hana@example.com');
    const last = (await decisions(m)).at(-1);
    assert.equal(last?.decision, 'deny');
    assert.deepEqual(last?.reasons, ['new-device', 'new-country', 'ip-failures']);
    assert.equal((await stuffer.get('/api/session')).statusCode, 401);
    // Exactly what a wrong password gets: the run cannot tell which of its passwords were right.
    const wrong = await postSignIn(clientAt(m, '8.8.8.8'), 'hana@example.com', 'wrong password guess');
    const normalise = (body: string) => body.replace(/name="_csrf" value="[^"]*"/g, '');
    assert.equal(denied.statusCode, 401);
    assert.equal(wrong.statusCode, 401);
    assert.equal(normalise(denied.body), normalise(wrong.body));
  });

  test('a deny tells the owner once an hour, without locking anything', async () => {
    const home = await ownerAtHome();
    const strict = await startMamori(store, { MAMORI_RISK_CHALLENGE_AT: '20', MAMORI_RISK_DENY_AT: '30' }, { geo });
    try {
      await registerAndVerify(strict, 'kaito@example.com');
      const owner = clientAt(strict, '133.242.0.10');
      await signIn(strict, 'kaito@example.com', PASSWORD, owner);
      strict.clock.advance(2 * 24 * 60 * MINUTE);
      const first = await postSignIn(clientAt(strict, '133.242.0.11'), 'kaito@example.com');
      const second = await postSignIn(clientAt(strict, '133.242.0.11'), 'kaito@example.com');
      assert.equal(first.statusCode, 401);
      assert.equal(second.statusCode, 401);
      assert.match(first.body, /do not match an account/);
      await strict.deliver();
      const notices = strict.mailer.to('kaito@example.com').filter((mail) => /We stopped a sign-in/.test(mail.subject));
      assert.equal(notices.length, 1);
      assert.match(notices[0]?.text ?? '', /forgot-password/);
      assert.equal(
        (await postSignIn(owner, 'kaito@example.com')).statusCode,
        303,
        'the owner at home is not locked out',
      );
    } finally {
      await strict.close();
    }
    assert.equal((await home.get('/api/session')).statusCode, 200);
  });

  test('per client address: 10 free failures across addresses, then delays; a browser the owner used before is never held back', async () => {
    const home = await ownerAtHome();
    const source = clientAt(m, '133.242.0.11');
    for (let i = 0; i < 10; i += 1)
      assert.equal((await postSignIn(source, `guess${i}@example.com`, 'wrong password guess')).statusCode, 401);
    const delayed = await postSignIn(source, 'guess10@example.com', 'wrong password guess');
    assert.equal(delayed.statusCode, 401, 'the 11th failure sets the delay');
    assert.equal((await postSignIn(source, 'guess11@example.com', 'wrong password guess')).statusCode, 429);
    home.remoteAddress = '133.242.0.11';
    assert.equal(
      (await postSignIn(home, 'hana@example.com')).statusCode,
      303,
      'the owner on a known browser behind the same address',
    );
    m.clock.advance(31_000);
    assert.equal((await postSignIn(source, 'guess12@example.com', 'wrong password guess')).statusCode, 401);
  });

  test('a small stuffing wave (300 attempts, 30 accounts, 10 sources, 5% right passwords): no session without a challenge, owners unaffected', async () => {
    const owners: TestClient[] = [];
    for (let i = 0; i < 30; i += 1) {
      m.clock.advance(15_000); // registration allows 5 a minute per client address
      await registerAndVerify(m, `owner${i}@example.com`);
      const own = clientAt(m, '133.242.0.10');
      assert.equal((await signIn(m, `owner${i}@example.com`, PASSWORD, own)).res.headers.location, '/account');
      owners.push(own);
    }
    m.clock.advance(2 * 24 * 60 * MINUTE);
    const sources = Array.from({ length: 10 }, (_, i) => `8.8.4.${i + 1}`);
    const granted: string[] = [];
    let ownersOk = 0;
    for (let k = 0; k < 300; k += 1) {
      const victim = `owner${(k * 7) % 30}@example.com`;
      const right = k % 20 === 0;
      const res = await postSignIn(clientAt(m, sources[k % 10] ?? ''), victim, right ? PASSWORD : `leaked guess ${k}`);
      if (res.statusCode === 303 && res.headers.location === '/account') granted.push(victim);
      if (k % 10 === 0) {
        const n = (k / 10) % 30;
        const own = await postSignIn(owners[n] as TestClient, `owner${n}@example.com`);
        if (own.headers.location === '/account') ownersOk += 1;
      }
      m.clock.advance(1_000);
    }
    assert.deepEqual(granted, []);
    assert.equal(ownersOk, 30);
  });
});
