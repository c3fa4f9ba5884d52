import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { SecretBox } from '../../src/platform/secret-box.ts';
import { forEachStore, startMamori, TickingClock, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';
import { PASSWORD, registerAndVerify } from '../support/flows.ts';
import {
  ATTACKER,
  attackerTakesOver,
  checkedUndo,
  emailChangedReportLink,
  OWNER,
  reportWithDefaults,
  STORY_ENV,
} from '../support/story.ts';

const codeAt = (secret: string, ms: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: ms });

async function signInFirstStep(m: TestMamori, email: string, client = new TestClient(m.app)) {
  await client.get('/sign-in');
  const res = await client.post('/sign-in', { email, password: PASSWORD });
  return { client, res };
}

/** Turns on TOTP from a signed-in client; returns the seed and the recovery codes. */
async function enrol(m: TestMamori, client: TestClient): Promise<{ secret: string; codes: string[] }> {
  await client.get('/account/two-step');
  assert.equal((await client.post('/account/two-step/start')).statusCode, 303);
  const page = await client.get('/account/two-step');
  const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(page.body)?.[1] ?? '';
  assert.ok(secret.length >= 32, 'a 160-bit seed');
  assert.match(page.body, /<svg/, 'a QR code to scan');
  const wrong = await client.post('/account/two-step/confirm', { code: '000000' });
  assert.equal(wrong.statusCode, 400);
  const done = await client.post('/account/two-step/confirm', { code: codeAt(secret, m.clock.now().getTime()) });
  assert.equal(done.statusCode, 200);
  const codes = [...done.body.matchAll(/<li><code>([A-Z2-7-]+)<\/code><\/li>/g)].map((x) => x[1] ?? '');
  assert.equal(codes.length, 10);
  assert.match(done.body, /Two-step sign-in is on\. Unused recovery codes: 10\./);
  return { secret, codes };
}

/**
 * The owner turns on TOTP; three days later an attacker with the password and one phished code signs in.
 * Returns the owner's seed and recovery codes, and the attacker's signed-in client.
 */
async function ownerPhished(m: TestMamori): Promise<{ secret: string; codes: string[]; attacker: TestClient }> {
  const owner = await registerAndVerify(m, OWNER);
  await signInFirstStep(m, OWNER, owner);
  const { secret, codes } = await enrol(m, owner);
  await owner.post('/sign-out');
  m.clock.advance(3 * 24 * 3_600_000);
  const attacker = new TestClient(m.app, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/129.0' });
  await signInFirstStep(m, OWNER, attacker);
  await attacker.get('/sign-in/two-step');
  assert.equal(
    (await attacker.post('/sign-in/two-step', { code: codeAt(secret, m.clock.now().getTime()) })).statusCode,
    303,
  );
  return { secret, codes, attacker };
}

/** The intruder turns off the owner's authenticator (which voids its recovery codes). */
async function turnOffAuthenticator(client: TestClient): Promise<void> {
  await client.get('/account/two-step');
  assert.equal((await client.post('/account/two-step/remove')).statusCode, 303);
}

/** The recovery codes that would be accepted now: neither used nor voided. */
const usableRecoveryCodes = (m: TestMamori) =>
  m.deps.db
    .selectFrom('recovery_codes')
    .selectAll()
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .execute();

/** The attacker moves the account to their own address and confirms it. */
async function attackerTakesAddress(m: TestMamori, attacker: TestClient): Promise<void> {
  await attacker.get('/account');
  assert.equal(
    (await attacker.post('/account/email', { newEmail: ATTACKER, currentPassword: PASSWORD })).statusCode,
    303,
  );
  await m.deliver();
  const confirm = m.mailer.link(ATTACKER, '/confirm-email');
  await attacker.get(pathOf(confirm));
  await attacker.post('/confirm-email', { token: tokenOf(confirm) });
  await m.deliver();
}

/** After the waiting period the owner opens the recovery link; `recover(code)` sets a new password with that code. */
async function openRecovery(m: TestMamori) {
  m.clock.advance(5 * 3_600_000);
  await m.deliver();
  const recovery = m.mailer.link(OWNER, '/recover');
  const client = new TestClient(m.app);
  await client.get(pathOf(recovery));
  return (code: string) =>
    client.post('/recover', { token: tokenOf(recovery), password: 'fresh start lantern meadow', code });
}

forEachStore('two-step sign-in', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store);
  });
  afterEach(async () => {
    await m.close();
  });

  test('enrol TOTP, then sign-in needs the code; a code is accepted once; the pending step expires', async () => {
    const client = await registerAndVerify(m, 'hana@example.com');
    await signInFirstStep(m, 'hana@example.com', client);
    const { secret } = await enrol(m, client);
    await m.deliver();
    assert.ok(m.mailer.to('hana@example.com').some((mail) => /Two-step sign-in was turned on/.test(mail.subject)));
    const stored = await m.deps.db.selectFrom('recovery_codes').select('code_hash').execute();
    assert.equal(stored.length, 10);

    m.clock.advance(60_000);
    const { client: other, res } = await signInFirstStep(m, 'hana@example.com');
    assert.equal(res.statusCode, 303);
    assert.match(String(res.headers.location), /^\/sign-in\/two-step/);
    assert.equal((await other.get('/api/session')).statusCode, 401, 'no session before the second step');
    await other.get('/sign-in/two-step');
    assert.equal((await other.post('/sign-in/two-step', { code: '123456' })).statusCode, 400);
    const code = codeAt(secret, m.clock.now().getTime());
    assert.equal((await other.post('/sign-in/two-step', { code })).statusCode, 303);
    assert.equal((await other.get('/api/session')).statusCode, 200);

    // The same code again, in the same 30-second step, from another sign-in: refused.
    const { client: replay } = await signInFirstStep(m, 'hana@example.com');
    await replay.get('/sign-in/two-step');
    const replayed = await replay.post('/sign-in/two-step', { code });
    assert.equal(replayed.statusCode, 400);
    assert.match(replayed.body, /not valid/);
    m.clock.advance(30_000);
    assert.equal(
      (await replay.post('/sign-in/two-step', { code: codeAt(secret, m.clock.now().getTime()) })).statusCode,
      303,
    );

    const { client: late } = await signInFirstStep(m, 'hana@example.com');
    m.clock.advance(10 * 60_000 + 1000);
    await late.get('/sign-in/two-step');
    assert.equal(
      (await late.post('/sign-in/two-step', { code: codeAt(secret, m.clock.now().getTime()) })).statusCode,
      400,
      'the pending step lasts 10 minutes',
    );
  });

  test('a recovery code works once and its use is announced', async () => {
    const client = await registerAndVerify(m, 'hana@example.com');
    await signInFirstStep(m, 'hana@example.com', client);
    const { codes } = await enrol(m, client);
    const { client: a } = await signInFirstStep(m, 'hana@example.com');
    await a.get('/sign-in/two-step');
    assert.equal(
      (await a.post('/sign-in/two-step', { code: (codes[0] ?? '').toLowerCase().replace(/-/g, ' ') })).statusCode,
      303,
      'case and separators do not matter',
    );
    const { client: b } = await signInFirstStep(m, 'hana@example.com');
    await b.get('/sign-in/two-step');
    assert.equal((await b.post('/sign-in/two-step', { code: codes[0] ?? '' })).statusCode, 400, 'single use');
    await m.deliver();
    assert.ok(m.mailer.to('hana@example.com').some((mail) => /recovery code was used/.test(mail.subject)));
  });

  test('with a second factor the length rule drops from 15 to 8 characters (strength still applies)', async () => {
    const client = await registerAndVerify(m, 'hana@example.com');
    await signInFirstStep(m, 'hana@example.com', client);
    await enrol(m, client);
    await client.get('/account');
    const res = await client.post('/account/password', {
      currentPassword: PASSWORD,
      newPassword: 'tide#Fern9',
      signOutOthers: 'yes',
    });
    assert.equal(res.statusCode, 303, 'ten characters, refused without a second factor, are accepted');
    await client.get('/account'); // the new session token comes with a new form token
    const short = await client.post('/account/password', { currentPassword: 'tide#Fern9', newPassword: 'tide#Fe' });
    assert.equal(short.statusCode, 400);
    assert.match(short.body, /at least 8 characters/);
    assert.doesNotMatch(short.body, /at least 15 characters/, 'the field message names the same rule as the summary');
  });

  test('a seed stored before sealing still checks codes and is sealed the first time it is used', async () => {
    const client = await registerAndVerify(m, 'hana@example.com');
    await signInFirstStep(m, 'hana@example.com', client);
    const { secret } = await enrol(m, client);
    // A row as an earlier version stored it: the seed in plain.
    await m.deps.db.updateTable('totp_factors').set({ secret }).execute();
    m.clock.advance(60_000);
    const { client: other } = await signInFirstStep(m, 'hana@example.com');
    await other.get('/sign-in/two-step');
    assert.equal(
      (await other.post('/sign-in/two-step', { code: codeAt(secret, m.clock.now().getTime()) })).statusCode,
      303,
    );
    const row = await m.deps.db.selectFrom('totp_factors').select(['id', 'secret']).executeTakeFirstOrThrow();
    assert.notEqual(row.secret, secret);
    assert.equal(m.deps.secrets.resealed(row.secret, `totp-seed:${row.id}`), null, 'sealed under the current key now');
    assert.equal(m.deps.secrets.open(row.secret, `totp-seed:${row.id}`), secret);
  });

  test('during a key rotation a seed sealed under the previous key still checks codes and is sealed anew under the current one', async () => {
    const previous = randomBytes(32);
    await m.close();
    m = await startMamori(store, {
      MAMORI_SECRET_KEY: randomBytes(32).toString('base64url'),
      MAMORI_SECRET_KEY_PREVIOUS: previous.toString('base64url'),
    });
    const client = await registerAndVerify(m, 'hana@example.com');
    await signInFirstStep(m, 'hana@example.com', client);
    const { secret } = await enrol(m, client);
    const factor = await m.deps.db.selectFrom('totp_factors').select(['id', 'secret']).executeTakeFirstOrThrow();
    const underPrevious = new SecretBox(previous).seal(secret, `totp-seed:${factor.id}`);
    await m.deps.db.updateTable('totp_factors').set({ secret: underPrevious }).execute();
    m.clock.advance(60_000);
    const { client: other } = await signInFirstStep(m, 'hana@example.com');
    await other.get('/sign-in/two-step');
    assert.equal(
      (await other.post('/sign-in/two-step', { code: codeAt(secret, m.clock.now().getTime()) })).statusCode,
      303,
    );
    const row = await m.deps.db.selectFrom('totp_factors').select('secret').executeTakeFirstOrThrow();
    assert.notEqual(row.secret, underPrevious);
    assert.equal(
      m.deps.secrets.resealed(row.secret, `totp-seed:${factor.id}`),
      null,
      'sealed under the current key now',
    );
    assert.throws(
      () => new SecretBox(previous).open(row.secret, `totp-seed:${factor.id}`),
      'the previous key no longer opens it',
    );
  });

  test('new recovery codes replace the old ones: a stale sign-in confirms the password first, the owner is told, the old codes stop working', async () => {
    const client = await registerAndVerify(m, 'hana@example.com');
    await signInFirstStep(m, 'hana@example.com', client);
    const { codes: first } = await enrol(m, client);
    const page = await client.get('/account/two-step');
    assert.match(page.body, /Make new recovery codes/);
    assert.equal((await client.post('/account/two-step/recovery-codes', { _csrf: '' })).statusCode, 403, 'CSRF');
    m.clock.advance(16 * 60_000);
    const stale = await client.post('/account/two-step/recovery-codes');
    assert.equal(stale.statusCode, 303);
    assert.equal(
      stale.headers.location,
      '/reauth?returnTo=%2Faccount%2Ftwo-step',
      'back to this page after the password',
    );
    await client.get('/reauth?returnTo=/account/two-step');
    assert.equal((await client.post('/reauth', { password: PASSWORD, returnTo: '/account/two-step' })).statusCode, 303);
    await client.get('/account/two-step');
    const renewed = await client.post('/account/two-step/recovery-codes');
    assert.equal(renewed.statusCode, 200);
    const second = [...renewed.body.matchAll(/<li><code>([A-Z2-7-]+)<\/code><\/li>/g)].map((x) => x[1] ?? '');
    assert.equal(second.length, 10);
    assert.equal(new Set([...first, ...second]).size, 20, 'a fresh set');
    assert.match(renewed.body, /Unused recovery codes: 10\./);
    await m.deliver();
    assert.ok(m.mailer.to('hana@example.com').some((mail) => /New recovery codes were made/.test(mail.subject)));

    m.clock.advance(60_000);
    const { client: next } = await signInFirstStep(m, 'hana@example.com');
    await next.get('/sign-in/two-step');
    assert.equal(
      (await next.post('/sign-in/two-step', { code: first[0] ?? '' })).statusCode,
      400,
      'an old code no longer works',
    );
    assert.equal((await next.post('/sign-in/two-step', { code: second[0] ?? '' })).statusCode, 303);
  });

  test('without a second factor there are no recovery codes to renew', async () => {
    const client = await registerAndVerify(m, 'hana@example.com');
    await signInFirstStep(m, 'hana@example.com', client);
    assert.doesNotMatch((await client.get('/account/two-step')).body, /Make new recovery codes/);
    assert.equal((await client.post('/account/two-step/recovery-codes')).statusCode, 404);
    assert.equal((await m.deps.db.selectFrom('recovery_codes').select('id').execute()).length, 0);
  });

  test('an authenticator in use is not replaced in one step: it must be turned off first, which is announced', async () => {
    const client = await registerAndVerify(m, 'hana@example.com');
    await signInFirstStep(m, 'hana@example.com', client);
    const { secret } = await enrol(m, client);
    await client.get('/account/two-step');
    const again = await client.post('/account/two-step/start');
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /already on\. To use another authenticator app, turn it off first/);
    const factors = await m.deps.db.selectFrom('totp_factors').select(['id', 'secret', 'removed_at']).execute();
    assert.equal(factors.length, 1, 'no second seed');
    assert.equal(factors[0]?.removed_at, null, 'the first still on');
    assert.ok(!factors[0]?.secret.includes(secret), 'the seed is stored sealed');
    assert.equal(m.deps.secrets.open(factors[0]?.secret ?? '', `totp-seed:${factors[0]?.id}`), secret);
    assert.equal((await client.post('/account/two-step/remove')).statusCode, 303);
    await m.deliver();
    assert.ok(m.mailer.to('hana@example.com').some((mail) => /Two-step sign-in was turned off/.test(mail.subject)));
    await client.get('/account/two-step');
    assert.equal((await client.post('/account/two-step/start')).statusCode, 303, 'once off, a new one can be set up');
  });

  test('an account that had TOTP before the attack is not recovered by the email link alone', async () => {
    await m.close();
    m = await startMamori(store, STORY_ENV);
    // The attacker phished one code: password + code gets them in; they change the email.
    const { secret, attacker } = await ownerPhished(m);
    await attackerTakesAddress(m, attacker);

    await reportWithDefaults(m, emailChangedReportLink(m));
    m.clock.advance(5 * 3_600_000);
    await m.deliver();
    const recovery = m.mailer.link(OWNER, '/recover');
    const client = new TestClient(m.app);
    const page = await client.get(pathOf(recovery));
    assert.match(page.body, /had two-step sign-in before the intrusion/);
    const without = await client.post('/recover', { token: tokenOf(recovery), password: 'fresh start lantern meadow' });
    assert.equal(without.statusCode, 401);
    const wrong = await client.post('/recover', {
      token: tokenOf(recovery),
      password: 'fresh start lantern meadow',
      code: '000000',
    });
    assert.equal(wrong.statusCode, 400);
    assert.equal(
      (await m.deps.db.selectFrom('incidents').select('state').executeTakeFirstOrThrow()).state,
      'recovery-open',
      'nothing changed',
    );
    m.clock.advance(30_000);
    const ok = await client.post('/recover', {
      token: tokenOf(recovery),
      password: 'fresh start lantern meadow',
      code: codeAt(secret, m.clock.now().getTime()),
    });
    assert.equal(ok.statusCode, 303);
    assert.equal(
      (await m.deps.db.selectFrom('incidents').select('state').executeTakeFirstOrThrow()).state,
      'recovered',
    );
  });

  test('recovery takes the authenticator the owner had, whatever the undo left; the attacker’s authenticator and codes never count', async () => {
    await m.close();
    m = await startMamori(store, STORY_ENV);
    // A phished code gets the attacker in; they swap the owner's authenticator for their own, then take the address.
    const { secret: ownSecret, codes: ownCodes, attacker } = await ownerPhished(m);
    await turnOffAuthenticator(attacker);
    m.clock.advance(60_000);
    const { secret: attackerSecret, codes: attackerCodes } = await enrol(m, attacker);
    await attackerTakesAddress(m, attacker);

    // The owner, unsure which authenticator changes were theirs, leaves both as they are: only the address is undone.
    const factorChanges = await m.deps.db
      .selectFrom('account_log')
      .select('id')
      .where('kind', 'in', ['second-factor-added', 'second-factor-removed'])
      .execute();
    const reporter = new TestClient(m.app);
    const link = emailChangedReportLink(m);
    const reportPage = await reporter.get(pathOf(link));
    const offered = checkedUndo(reportPage.body);
    const undo = offered.filter((id) => !factorChanges.some((change) => change.id === id));
    assert.equal(offered.length - undo.length, 2, 'the removal and the enrolment were offered for undo');
    assert.equal((await reporter.post('/report', { token: tokenOf(link), undo })).statusCode, 303);
    assert.equal(
      (await m.deps.db.selectFrom('incidents').select('requires_second_factor').executeTakeFirstOrThrow())
        .requires_second_factor,
      1,
    );
    const recover = await openRecovery(m);
    assert.equal(
      (await recover(codeAt(attackerSecret, m.clock.now().getTime()))).statusCode,
      400,
      'the attacker’s authenticator',
    );
    assert.equal((await recover(attackerCodes[0] ?? '')).statusCode, 400, 'a recovery code issued with it');
    assert.equal(
      (await m.deps.db.selectFrom('incidents').select('state').executeTakeFirstOrThrow()).state,
      'recovery-open',
      'nothing changed',
    );
    m.clock.advance(30_000);
    assert.equal(
      (await recover(codeAt(ownSecret, m.clock.now().getTime()))).statusCode,
      303,
      'the owner’s own authenticator',
    );
    assert.equal(
      (await m.deps.db.selectFrom('incidents').select('state').executeTakeFirstOrThrow()).state,
      'recovered',
    );

    // It is the account's authenticator again: the next sign-in asks for its code.
    m.clock.advance(30_000);
    const next = new TestClient(m.app);
    await next.get('/sign-in');
    const first = await next.post('/sign-in', { email: OWNER, password: 'fresh start lantern meadow' });
    assert.match(String(first.headers.location), /^\/sign-in\/two-step/);
    await next.get('/sign-in/two-step');
    assert.equal(
      (await next.post('/sign-in/two-step', { code: codeAt(attackerSecret, m.clock.now().getTime()) })).statusCode,
      400,
    );
    assert.equal(
      (await next.post('/sign-in/two-step', { code: attackerCodes[1] ?? '' })).statusCode,
      400,
      'nor do the codes issued with it',
    );
    assert.equal(
      (await next.post('/sign-in/two-step', { code: codeAt(ownSecret, m.clock.now().getTime()) })).statusCode,
      303,
    );

    // With the authenticator came the recovery codes the owner printed: the intruder's removal had voided them.
    const later = new TestClient(m.app);
    await later.get('/sign-in');
    await later.post('/sign-in', { email: OWNER, password: 'fresh start lantern meadow' });
    await later.get('/sign-in/two-step');
    assert.equal((await later.post('/sign-in/two-step', { code: ownCodes[1] ?? '' })).statusCode, 303);
  });

  test('the owner’s recovery codes, voided when the intruder turned the authenticator off, come back with it in the undo', async () => {
    await m.close();
    m = await startMamori(store, STORY_ENV);
    const { codes: ownCodes, attacker } = await ownerPhished(m);
    await turnOffAuthenticator(attacker);
    await attackerTakesAddress(m, attacker);
    assert.equal((await usableRecoveryCodes(m)).length, 0, 'turning the authenticator off voided the codes');

    await reportWithDefaults(m, emailChangedReportLink(m));
    assert.equal(
      (await usableRecoveryCodes(m)).length,
      10,
      'the undo brought the authenticator back, and its ten codes',
    );
    // The owner's phone is gone: a printed code recovers the account.
    const recover = await openRecovery(m);
    assert.equal((await recover(ownCodes[0] ?? '')).statusCode, 303);
    assert.equal((await usableRecoveryCodes(m)).length, 9);
  });

  test('codes an intruder renewed are voided by the undo, and the owner’s set works again', async () => {
    await m.close();
    m = await startMamori(store, STORY_ENV);
    const { codes: ownCodes, attacker } = await ownerPhished(m);
    await attacker.get('/account/two-step');
    const renewed = await attacker.post('/account/two-step/recovery-codes');
    assert.equal(renewed.statusCode, 200);
    const attackerCodes = [...renewed.body.matchAll(/<li><code>([A-Z2-7-]+)<\/code><\/li>/g)].map((x) => x[1] ?? '');
    assert.equal(attackerCodes.length, 10);
    await attackerTakesAddress(m, attacker);
    const reportPage = await new TestClient(m.app).get(pathOf(emailChangedReportLink(m)));
    assert.match(reportPage.body, /New recovery codes made/);

    await reportWithDefaults(m, emailChangedReportLink(m));
    const recover = await openRecovery(m);
    assert.equal((await recover(attackerCodes[0] ?? '')).statusCode, 400, 'the intruder’s set is void');
    assert.equal((await recover(ownCodes[0] ?? '')).statusCode, 303, 'the owner’s set is back');
    assert.equal((await usableRecoveryCodes(m)).length, 9);
  });

  test('a recovery code the owner held counts in recovery even when the undo left the authenticator off', async () => {
    await m.close();
    m = await startMamori(store, STORY_ENV);
    const { codes: ownCodes, attacker } = await ownerPhished(m);
    await turnOffAuthenticator(attacker);
    m.clock.advance(60_000);
    const { codes: attackerCodes } = await enrol(m, attacker);
    await attackerTakesAddress(m, attacker);
    const removal = await m.deps.db
      .selectFrom('account_log')
      .select('id')
      .where('kind', '=', 'second-factor-removed')
      .executeTakeFirstOrThrow();
    const reporter = new TestClient(m.app);
    const link = emailChangedReportLink(m);
    const undo = checkedUndo((await reporter.get(pathOf(link))).body).filter((id) => id !== removal.id);
    assert.equal((await reporter.post('/report', { token: tokenOf(link), undo })).statusCode, 303);
    const recover = await openRecovery(m);
    assert.equal(
      (await recover(attackerCodes[0] ?? '')).statusCode,
      400,
      'a code issued after the compromise never counts',
    );
    assert.equal((await recover(ownCodes[0] ?? '')).statusCode, 303);
    assert.equal(
      (await m.deps.db.selectFrom('incidents').select('state').executeTakeFirstOrThrow()).state,
      'recovered',
    );
  });

  test('a second factor the attacker added is removed by the undo with its codes, and does not gate recovery', async () => {
    await m.close();
    // Time moves between the statements of one request: the codes are written a moment before the log entry.
    m = await startMamori(store, STORY_ENV, { clock: new TickingClock('2026-03-02T05:46:00.000Z') });
    const { attacker } = await attackerTakesOver(m);
    await attacker.get('/account/two-step');
    await attacker.post('/account/two-step/start');
    const page = await attacker.get('/account/two-step');
    const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(page.body)?.[1] ?? '';
    assert.equal(
      (await attacker.post('/account/two-step/confirm', { code: codeAt(secret, m.clock.now().getTime()) })).statusCode,
      200,
    );
    await m.deliver();
    const reportPage = await new TestClient(m.app).get(pathOf(emailChangedReportLink(m)));
    assert.match(reportPage.body, /Two-step sign-in turned on/);
    await reportWithDefaults(m, emailChangedReportLink(m));
    const active = await m.deps.db
      .selectFrom('totp_factors')
      .selectAll()
      .where('removed_at', 'is', null)
      .where('confirmed_at', 'is not', null)
      .execute();
    assert.equal(active.length, 0, 'the attacker’s authenticator is gone');
    assert.equal((await usableRecoveryCodes(m)).length, 0, 'and its recovery codes with it');
    assert.equal(
      (await m.deps.db.selectFrom('incidents').select('requires_second_factor').executeTakeFirstOrThrow())
        .requires_second_factor,
      0,
    );
  });
});
