import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { fixedGeoLocator } from '../../src/platform/geoip.ts';
import { PASSWORD, postSignIn, registerAndVerify, signIn } from '../support/flows.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';

const OWNER = 'hana@example.com';
const NEW_PASSWORD = 'lantern meadow quiet harbour';
const geo = fixedGeoLocator({ '133.242.0.10': 'JP', '133.242.0.11': 'JP' });

function clientAt(m: TestMamori, ip: string): TestClient {
  const client = new TestClient(m.app);
  client.remoteAddress = ip;
  return client;
}

/**
 * Issue 25: the mailed sign-in code ("someone has your password") carries the next step: one button that
 * ends every session and asks her for a new password. The intruder has the password, not her mailbox.
 */
forEachStore('the sign-in code mail’s next step', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store, {}, { geo });
  });
  afterEach(async () => {
    await m.close();
  });

  test('her button ends every session (his pending sign-in too) and leads to a new password; his guesses, a second click and a GET change nothing', async () => {
    await registerAndVerify(m, OWNER);
    const home = clientAt(m, '133.242.0.10');
    assert.equal((await signIn(m, OWNER, PASSWORD, home)).res.statusCode, 303);
    m.clock.advance(2 * 24 * 3_600_000);

    // The intruder types her password from a browser the account has never used: challenged.
    const intruder = clientAt(m, '133.242.0.11');
    assert.match(String((await postSignIn(intruder, OWNER)).headers.location), /^\/sign-in\/two-step/);
    await m.deliver();
    const mail = m.mailer.to(OWNER).at(-1);
    assert.match(mail?.subject ?? '', /Your sign-in code/);
    assert.match(mail?.text ?? '', /Not me: sign everyone out and set a new password: \S+\/secure-account\?token=/);
    const link = m.mailer.link(OWNER, '/secure-account');

    // He has no mailbox: a made-up or missing token gets a clear 4xx and changes nothing.
    for (const token of ['', 'x'.repeat(43), 'not a token']) {
      const guess = await intruder.post('/secure-account', { token });
      assert.ok(guess.statusCode >= 400 && guess.statusCode < 500, `${token}: ${guess.statusCode}`);
    }
    assert.equal((await intruder.get('/secure-account?token=' + 'A'.repeat(43))).statusCode, 400);

    // Opening her link (a mail scanner would too) only shows the page.
    const phone = new TestClient(m.app);
    const page = await phone.get(pathOf(link));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Sign everyone out and set a new password/);
    assert.equal((await home.get('/api/session')).statusCode, 200, 'a GET ended nothing');

    // Her click: every session ends, his pending sign-in dies with its code, and the next page asks for a new password.
    const code = m.mailer.signInCode(OWNER);
    const acted = await phone.post('/secure-account', { token: tokenOf(link) });
    assert.equal(acted.statusCode, 303);
    assert.match(String(acted.headers.location), /^\/reset-password\?token=/);
    assert.equal((await home.get('/api/session')).statusCode, 401, 'her other sessions ended');
    assert.notEqual(
      (await intruder.post('/sign-in/two-step', { code })).statusCode,
      303,
      'his pending sign-in is gone',
    );
    assert.equal((await intruder.get('/api/session')).statusCode, 401);

    // Single use.
    const again = await phone.post('/secure-account', { token: tokenOf(link) });
    assert.ok(again.statusCode >= 400 && again.statusCode < 500, `second click: ${again.statusCode}`);

    // The new password, and the old one no longer opens anything.
    const resetPath = String(acted.headers.location);
    assert.equal((await phone.get(resetPath)).statusCode, 200);
    const reset = await phone.post('/reset-password', {
      token: new URL(resetPath, 'http://x').searchParams.get('token') ?? '',
      password: NEW_PASSWORD,
    });
    assert.equal(reset.statusCode, 303, reset.body.slice(0, 300));
    assert.equal((await signIn(m, OWNER, PASSWORD, clientAt(m, '133.242.0.10'))).res.statusCode, 401);
    assert.equal((await signIn(m, OWNER, NEW_PASSWORD, clientAt(m, '133.242.0.10'))).res.statusCode, 303);
  });
});
