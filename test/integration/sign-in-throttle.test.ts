import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';
import { PASSWORD, registerAndVerify, signIn } from '../support/flows.ts';

const withoutCsrf = (body: string) =>
  body.replace(/name="_csrf" value="[^"]+"/g, '').replace(/value="[^"]*@example\.com"/g, '');

forEachStore('sign-in throttle', (store) => {
  let m: TestMamori;
  let owner: TestClient;
  beforeEach(async () => {
    m = await startMamori(store);
    owner = await registerAndVerify(m, 'hana@example.com');
    assert.equal((await signIn(m, 'hana@example.com', PASSWORD, owner)).res.statusCode, 303);
  });
  afterEach(async () => {
    await m.close();
  });

  test('from the fifth failure new browsers wait; the owner’s known browser does not; unknown addresses look the same', async () => {
    const stuffer = new TestClient(m.app);
    await stuffer.get('/sign-in');
    for (let i = 0; i < 5; i += 1) {
      stuffer.remoteAddress = `203.0.113.${i + 1}`;
      assert.equal(
        (await stuffer.post('/sign-in', { email: 'hana@example.com', password: 'wrong but long guess' })).statusCode,
        401,
      );
      await stuffer.post('/sign-in', { email: 'nobody@example.com', password: 'wrong but long guess' });
    }
    const held = await stuffer.post('/sign-in', { email: 'hana@example.com', password: PASSWORD });
    assert.equal(held.statusCode, 429, 'even the right password waits on a new browser');
    assert.match(held.body, /Too many failed attempts for this address/);
    const unknown = await stuffer.post('/sign-in', { email: 'nobody@example.com', password: PASSWORD });
    assert.equal(unknown.statusCode, 429);
    assert.equal(withoutCsrf(unknown.body), withoutCsrf(held.body), 'no enumeration through the throttle');

    const ownerAgain = await signIn(m, 'hana@example.com', PASSWORD, owner);
    assert.equal(ownerAgain.res.statusCode, 303, 'the owner’s known browser is not held back');
    m.clock.advance(31_000);
    assert.equal(
      (await stuffer.post('/sign-in', { email: 'hana@example.com', password: 'wrong but long guess' })).statusCode,
      401,
      'after the wait, attempts are answered again',
    );
  });

  test('100 failures from 100 addresses switch the password off, even for the right password; a reset brings it back', async () => {
    const stuffer = new TestClient(m.app);
    await stuffer.get('/sign-in');
    for (let i = 0; i < 100; i += 1) {
      stuffer.remoteAddress = `198.51.${Math.floor(i / 200)}.${i + 1}`;
      const res = await stuffer.post('/sign-in', { email: 'hana@example.com', password: `guess number ${i} long` });
      assert.equal(res.statusCode, 401, `attempt ${i + 1}`);
      m.clock.advance(3_600_000 + 1000);
    }
    const fromOwner = await signIn(m, 'hana@example.com', PASSWORD, owner);
    assert.equal(
      fromOwner.res.statusCode,
      401,
      'the 101st attempt fails even with the right password from a known browser',
    );
    await m.deliver();
    assert.ok(
      m.mailer.to('hana@example.com').some((mail) => /switched off after 100 failed sign-ins/.test(mail.subject)),
    );

    const resetter = new TestClient(m.app);
    await resetter.get('/forgot-password');
    await resetter.post('/forgot-password', { email: 'hana@example.com' });
    await m.deliver();
    const link = m.mailer.link('hana@example.com', '/reset-password');
    await resetter.get(pathOf(link));
    assert.equal(
      (await resetter.post('/reset-password', { token: tokenOf(link), password: 'amber falcon quarry ribbon' }))
        .statusCode,
      303,
    );
    assert.equal((await signIn(m, 'hana@example.com', 'amber falcon quarry ribbon', owner)).res.statusCode, 303);
    assert.equal((await signIn(m, 'hana@example.com', 'one typo after the reset')).res.statusCode, 401);
    assert.equal(
      (await signIn(m, 'hana@example.com', 'amber falcon quarry ribbon')).res.statusCode,
      303,
      'the reset cleared the count',
    );
  });
});
