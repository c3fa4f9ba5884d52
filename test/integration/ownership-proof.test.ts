import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';
import { PASSWORD, registerAndVerify, staffSignedIn } from '../support/flows.ts';
import { SoftPasskey } from '../support/soft-passkey.ts';
import { throttleKey } from '../../src/services/sign-in/throttle.ts';
import {
  ATTACKER,
  attackerTakesOver,
  checkedUndo,
  emailChangedReportLink,
  OWNER,
  reportWithDefaults,
  STORY_ENV,
} from '../support/story.ts';

/**
 * Issue 27, from the intruder's side: only a factor the owner held before the compromise point opens
 * recovery without the wait. His passkey, his authenticator and the codes he made are refused and
 * counted; hers still prove, even those he removed.
 */
const INTRUDER_BROWSER = { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/129.0' };
const codeAt = (secret: string, ms: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: ms });
const codesIn = (body: string) => [...body.matchAll(/<li><code>([A-Z2-7-]+)<\/code><\/li>/g)].map((x) => x[1] ?? '');

async function signInFirstStep(client: TestClient, email = OWNER) {
  await client.get('/sign-in');
  return client.post('/sign-in', { email, password: PASSWORD });
}

/** Registers a passkey from a signed-in client; returns the recovery codes shown with a first factor. */
async function enrolPasskey(client: TestClient, passkey: SoftPasskey, name: string): Promise<string[]> {
  await client.get('/account/passkeys');
  const options = JSON.parse((await client.post('/account/passkeys/options')).body) as { challenge: string };
  const res = await client.post('/account/passkeys', { credential: JSON.stringify(passkey.register(options)), name });
  assert.ok([200, 303].includes(res.statusCode), `passkey registered (${res.statusCode})`);
  return codesIn(res.body);
}

async function enrolTotp(m: TestMamori, client: TestClient): Promise<{ secret: string; codes: string[] }> {
  await client.get('/account/two-step');
  await client.post('/account/two-step/start');
  const page = await client.get('/account/two-step');
  const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(page.body)?.[1] ?? '';
  const done = await client.post('/account/two-step/confirm', { code: codeAt(secret, m.clock.now().getTime()) });
  assert.equal(done.statusCode, 200);
  return { secret, codes: codesIn(done.body) };
}

/** The intruder moves the account to his own address and confirms it from his mailbox. */
async function intruderTakesAddress(m: TestMamori, intruder: TestClient): Promise<void> {
  await intruder.get('/account');
  assert.equal(
    (await intruder.post('/account/email', { newEmail: ATTACKER, currentPassword: PASSWORD })).statusCode,
    303,
  );
  await m.deliver();
  const confirm = m.mailer.link(ATTACKER, '/confirm-email');
  await intruder.get(pathOf(confirm));
  await intruder.post('/confirm-email', { token: tokenOf(confirm) });
  await m.deliver();
}

/** The owner reports from her old address but leaves the factor changes as they are: only the address is undone. */
async function ownerReportsAddressOnly(m: TestMamori): Promise<string> {
  const factorChanges = await m.deps.db
    .selectFrom('account_log')
    .select('id')
    .where('kind', 'in', ['second-factor-added', 'second-factor-removed', 'recovery-codes-renewed'])
    .execute();
  const reporter = new TestClient(m.app);
  const link = emailChangedReportLink(m);
  const page = await reporter.get(pathOf(link));
  const undo = checkedUndo(page.body).filter((id) => !factorChanges.some((change) => change.id === id));
  const res = await reporter.post('/report', { token: tokenOf(link), undo });
  assert.equal(res.statusCode, 303);
  return String(res.headers.location);
}

/**
 * The owner has a passkey; three days later the intruder signs in with her password and a recovery code
 * from her printout, adds his own passkey, makes his own recovery codes, maybe removes her passkey, and
 * moves the account to his address.
 */
async function passkeyStory(m: TestMamori, how: { removeHers: boolean }) {
  const ownerKey = new SoftPasskey();
  const owner = await registerAndVerify(m, OWNER);
  await signInFirstStep(owner);
  const ownerCodes = await enrolPasskey(owner, ownerKey, 'Taro laptop');
  assert.equal(ownerCodes.length, 10);
  await owner.post('/sign-out');
  m.clock.advance(3 * 24 * 3_600_000);

  // The intruder has the password and one recovery code from her printout.
  const intruder = new TestClient(m.app, INTRUDER_BROWSER);
  assert.match(String((await signInFirstStep(intruder)).headers.location), /^\/sign-in\/two-step/);
  await intruder.get('/sign-in/two-step');
  assert.equal((await intruder.post('/sign-in/two-step', { code: ownerCodes[0] ?? '' })).statusCode, 303);
  m.clock.advance(60_000);
  const intruderKey = new SoftPasskey();
  await enrolPasskey(intruder, intruderKey, 'mine now');
  await intruder.get('/account/two-step');
  const intruderCodes = codesIn((await intruder.post('/account/two-step/recovery-codes')).body);
  assert.equal(intruderCodes.length, 10);
  const hers = await m.deps.db
    .selectFrom('passkeys')
    .select('id')
    .where('name', '=', 'Taro laptop')
    .executeTakeFirstOrThrow();
  if (how.removeHers) {
    await intruder.get('/account/passkeys');
    assert.equal((await intruder.post(`/account/passkeys/${hers.id}/remove`)).statusCode, 303);
  }
  await intruderTakesAddress(m, intruder);
  return { ownerKey, intruderKey, intruderCodes, hers };
}

const incidentRow = (m: TestMamori) => m.deps.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
const refusals = (m: TestMamori) =>
  m.deps.db
    .selectFrom('account_log')
    .selectAll()
    .where('kind', '=', 'ownership-proof-refused')
    .orderBy('seq')
    .execute();
/** The owner's account's consecutive failures on the sign-in throttle. */
const throttleFailures = async (m: TestMamori) =>
  Number(
    (
      await m.deps.db
        .selectFrom('sign_in_throttle')
        .select('failures')
        .where('key', '=', throttleKey(OWNER))
        .executeTakeFirst()
    )?.failures ?? 0,
  );

forEachStore('prove it is you: a factor held before the intrusion skips the wait', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store, STORY_ENV);
  });
  afterEach(async () => {
    await m.close();
  });

  test('his passkey and his recovery codes are refused and counted; her passkey, which he removed, still proves', async () => {
    const { ownerKey, intruderKey, intruderCodes, hers } = await passkeyStory(m, { removeHers: true });

    const statusPath = await ownerReportsAddressOnly(m);
    const page = new TestClient(m.app);
    const incidentPage = await page.get(statusPath);
    assert.match(incidentPage.body, /Prove it&#39;s you|Prove it's you/);
    assert.match(incidentPage.body, /action="\/incident\/prove\/passkey"/);
    const token = tokenOf(`http://x${statusPath}`);

    const options = async () =>
      JSON.parse((await page.post(`/incident/prove/passkey/options?token=${encodeURIComponent(token)}`)).body) as {
        challenge: string;
        allowCredentials: { id: string }[];
      };
    const offered = await options();
    assert.deepEqual(
      offered.allowCredentials.map((c) => c.id),
      [ownerKey.id],
      'only her passkey is asked for',
    );
    const his = await page.post('/incident/prove/passkey', {
      token,
      credential: JSON.stringify(intruderKey.assert(offered)),
    });
    assert.equal(his.statusCode, 400, 'his passkey');
    assert.equal(
      (await page.post('/incident/prove', { token, code: intruderCodes[0] ?? '' })).statusCode,
      400,
      'a recovery code he made',
    );
    const refused = await refusals(m);
    assert.deepEqual(
      refused.map((r) => JSON.parse(r.after_value ?? '{}') as Record<string, string>),
      [
        { factor: 'passkey', reason: 'added-after-compromise' },
        { factor: 'recovery-code', reason: 'added-after-compromise' },
      ],
    );
    assert.equal(await throttleFailures(m), 2, 'each refusal counts against the sign-in throttle');
    assert.equal((await incidentRow(m)).state, 'waiting', 'nothing opened');

    const proved = await page.post('/incident/prove/passkey', {
      token,
      credential: JSON.stringify(ownerKey.assert(await options())),
    });
    assert.equal(proved.statusCode, 303, 'her passkey, removed by him, still proves');
    const recoverPath = String(proved.headers.location);
    assert.match(recoverPath, /^\/recover\?token=/);
    const incident = await incidentRow(m);
    assert.equal(incident.state, 'recovery-open');
    assert.equal((JSON.parse(incident.proven_by ?? '{}') as { kind?: string }).kind, 'passkey');
    const back = await m.deps.db
      .selectFrom('passkeys')
      .select('removed_at')
      .where('id', '=', hers.id)
      .executeTakeFirstOrThrow();
    assert.equal(back.removed_at, null, 'her passkey is hers again');

    // Recovery asks no factor again: she has just given one.
    const recoverPage = await page.get(recoverPath);
    assert.doesNotMatch(recoverPage.body, /name="code"/);
    assert.equal(
      (
        await page.post('/recover', {
          token: tokenOf(`http://x${recoverPath}`),
          password: 'fresh start lantern meadow',
        })
      ).statusCode,
      303,
    );
    assert.equal((await incidentRow(m)).state, 'recovered');

    await m.deliver();
    const told = m.mailer.to(ATTACKER).find((mail) => /proved it is theirs/.test(mail.subject));
    assert.match(told?.text ?? '', /a passkey held since/);
    assert.ok(m.mailer.to(OWNER).some((mail) => /You proved it/.test(mail.subject)));
  });

  test('his authenticator is refused and counted; her authenticator, which he turned off, still proves', async () => {
    const owner = await registerAndVerify(m, OWNER);
    await signInFirstStep(owner);
    const { secret: ownSecret } = await enrolTotp(m, owner);
    await owner.post('/sign-out');
    m.clock.advance(3 * 24 * 3_600_000);
    const intruder = new TestClient(m.app, INTRUDER_BROWSER);
    await signInFirstStep(intruder);
    await intruder.get('/sign-in/two-step');
    // One phished code.
    await intruder.post('/sign-in/two-step', { code: codeAt(ownSecret, m.clock.now().getTime()) });
    await intruder.get('/account/two-step');
    assert.equal((await intruder.post('/account/two-step/remove')).statusCode, 303);
    m.clock.advance(60_000);
    const { secret: hisSecret, codes: hisCodes } = await enrolTotp(m, intruder);
    await intruderTakesAddress(m, intruder);

    const statusPath = await ownerReportsAddressOnly(m);
    const token = tokenOf(`http://x${statusPath}`);
    const page = new TestClient(m.app);
    await page.get(statusPath);
    m.clock.advance(30_000);
    const his = await page.post('/incident/prove', { token, code: codeAt(hisSecret, m.clock.now().getTime()) });
    assert.equal(his.statusCode, 400, 'his authenticator');
    assert.match(his.body, /not valid/);
    assert.equal((await page.post('/incident/prove', { token, code: hisCodes[0] ?? '' })).statusCode, 400);
    assert.deepEqual(
      (await refusals(m)).map((r) => (JSON.parse(r.after_value ?? '{}') as { factor: string }).factor),
      ['totp', 'recovery-code'],
    );
    assert.equal(await throttleFailures(m), 2);

    const ok = await page.post('/incident/prove', { token, code: codeAt(ownSecret, m.clock.now().getTime()) });
    assert.equal(ok.statusCode, 303, 'her own authenticator');
    const active = await m.deps.db
      .selectFrom('totp_factors')
      .select('id')
      .where('removed_at', 'is', null)
      .where('confirmed_at', 'is not', null)
      .execute();
    assert.equal(active.length, 1, 'hers is the account’s authenticator again, his retired');
    assert.equal(await throttleFailures(m), 0, 'a proof clears the account’s count');

    // She ends without a password: signed in here, she adds a new passkey; the password stays off.
    const recoverPath = String(ok.headers.location);
    const recoverPage = await page.get(recoverPath);
    assert.match(recoverPage.body, /data-testid="finish-with-passkey"/);
    const opened = await page.post('/recover/without-password', { token: tokenOf(`http://x${recoverPath}`) });
    assert.equal(opened.statusCode, 303);
    assert.equal(opened.headers.location, '/account/passkeys');
    assert.equal((await incidentRow(m)).state, 'recovered');
    assert.equal((await page.get('/api/session')).statusCode, 200, 'signed in');
    const checklist = (await page.get('/account')).body;
    assert.match(checklist, /data-testid="checklist-passkey"/, 'the checklist first offers a passkey');
    await enrolPasskey(page, new SoftPasskey(), 'new laptop');
    assert.doesNotMatch((await page.get('/account')).body, /data-testid="checklist-passkey"/);
    const stale = new TestClient(m.app, INTRUDER_BROWSER);
    await signInFirstStep(stale);
    assert.equal((await stale.get('/api/session')).statusCode, 401, 'the stolen password opens nothing');
  });

  test('on a report the intruder made first, her proof settles it for her; his objection goes to a person and the account stays hers', async () => {
    const owner = await registerAndVerify(m, OWNER);
    await signInFirstStep(owner);
    const { secret, codes } = await enrolTotp(m, owner);
    await owner.post('/sign-out');
    m.clock.advance(3 * 24 * 3_600_000);
    const intruder = new TestClient(m.app, INTRUDER_BROWSER);
    await signInFirstStep(intruder);
    await intruder.get('/sign-in/two-step');
    await intruder.post('/sign-in/two-step', { code: codeAt(secret, m.clock.now().getTime()) });
    await intruderTakesAddress(m, intruder);
    m.clock.advance(60_000);
    await intruder.get('/account');
    await intruder.post('/account/name', { name: 'Not Taro' });
    await m.deliver();
    // He reports first, from a notice at his own address: a newcomer's report goes to a person.
    const hisLink = m.mailer
      .to(ATTACKER)
      .flatMap((mail) => mail.text.match(/This wasn't me: (\S+)/)?.[1] ?? [])
      .at(-1);
    assert.ok(hisLink, 'the intruder got a notice with a report link');
    await reportWithDefaults(m, hisLink, new TestClient(m.app, INTRUDER_BROWSER));
    assert.equal((await incidentRow(m)).state, 'disputed');
    await m.deliver();

    const ownerLink = m.mailer.link(OWNER, '/incident');
    const page = new TestClient(m.app);
    await page.get(pathOf(ownerLink));
    const proved = await page.post('/incident/prove', { token: tokenOf(ownerLink), code: codes[3] ?? '' });
    assert.equal(proved.statusCode, 303, 'a recovery code she held settles it');
    const incident = await incidentRow(m);
    assert.equal(incident.state, 'recovery-open');
    assert.equal((JSON.parse(incident.proven_by ?? '{}') as { kind?: string }).kind, 'recovery-code');

    // The staff case view shows which factor proved it and since when.
    const staff = await staffSignedIn(m, 'agent');
    const casePage = await staff.get(`/staff/accounts/${incident.account_id}`);
    assert.match(
      casePage.body,
      /data-testid="proven-by"><strong>Proven by the owner: a recovery code held since 2 Mar 2026/,
    );
    await m.deliver();
    const objectLink = m.mailer.link(ATTACKER, '/object');
    const objector = new TestClient(m.app, INTRUDER_BROWSER);
    await objector.get(pathOf(objectLink));
    const objected = await objector.post('/object', { token: tokenOf(objectLink), message: 'It is mine, I swear' });
    assert.equal(objected.statusCode, 200);
    assert.equal((await incidentRow(m)).state, 'recovery-open', 'an objection after proof changes nothing');
    const request = await m.deps.db.selectFrom('support_requests').selectAll().executeTakeFirstOrThrow();
    assert.equal(request.standing, 'newcomer');
    assert.equal(request.body, 'It is mine, I swear');
    const recoverPath = String(proved.headers.location);
    await page.get(recoverPath);
    assert.equal(
      (
        await page.post('/recover', {
          token: tokenOf(`http://x${recoverPath}`),
          password: 'fresh start lantern meadow',
        })
      ).statusCode,
      303,
      'and she recovers all the same',
    );
  });

  test('an email-only owner is told she waits and until when; guessed codes hit the throttle', async () => {
    await attackerTakesOver(m);
    const statusPath = await reportWithDefaults(m, emailChangedReportLink(m));
    const page = new TestClient(m.app);
    const body = (await page.get(statusPath)).body;
    assert.match(body, /the wait is what protects you: recovery opens at/);
    assert.doesNotMatch(body, /action="\/incident\/prove"/);
    const token = tokenOf(`http://x${statusPath}`);
    assert.equal((await page.post('/incident/prove', { token, code: '123456', _csrf: '' })).statusCode, 403, 'CSRF');
    assert.equal((await page.post('/incident/prove', { token, code: 'x'.repeat(41) })).statusCode, 400);
    assert.equal((await page.post('/incident/prove', { token: 'nope', code: '123456' })).statusCode, 400);
    const statuses: number[] = [];
    for (let guess = 0; guess < 6; guess += 1)
      statuses.push((await page.post('/incident/prove', { token, code: String(100000 + guess) })).statusCode);
    assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429]);
    assert.equal((await refusals(m)).length, 5, 'every attempt that was judged is in the log');
    assert.equal((await incidentRow(m)).state, 'waiting');
    // Without a proof there is no way around a password: the passkey-only end needs one.
    m.clock.advance(5 * 3_600_000);
    await m.deliver();
    const recovery = m.mailer.link(OWNER, '/recover');
    assert.doesNotMatch((await page.get(pathOf(recovery))).body, /finish-with-passkey/);
    assert.equal((await page.post('/recover/without-password', { token: tokenOf(recovery) })).statusCode, 409);
  });

  test('a passkey sign-in on the contained account: his passkey is refused and counted, hers leads straight into recovery', async () => {
    const { ownerKey, intruderKey } = await passkeyStory(m, { removeHers: false });
    await ownerReportsAddressOnly(m);
    const signInWith = async (key: SoftPasskey) => {
      const client = new TestClient(m.app);
      await client.get('/sign-in');
      const options = JSON.parse((await client.post('/sign-in/passkey/options')).body) as { challenge: string };
      return client.post('/sign-in/passkey', { credential: JSON.stringify(key.assert(options)) });
    };
    const his = await signInWith(intruderKey);
    assert.equal(his.statusCode, 400, 'his passkey opens nothing');
    assert.deepEqual(
      (await refusals(m)).map((r) => JSON.parse(r.after_value ?? '{}') as Record<string, string>),
      [{ factor: 'passkey', reason: 'added-after-compromise' }],
    );
    assert.equal(await throttleFailures(m), 1);
    assert.equal((await incidentRow(m)).state, 'waiting');
    const hers = await signInWith(ownerKey);
    assert.equal(hers.statusCode, 303);
    assert.match(String(hers.headers.location), /^\/recover\?token=/, 'into recovery, not "account locked"');
    assert.equal((await incidentRow(m)).state, 'recovery-open');
  });
});
