import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { composeMamori } from '../../src/runtime/compose.ts';
import { forEachStore, startMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';
import { PASSWORD, registerAndVerify, signIn } from '../support/flows.ts';

forEachStore('rate limits', (store) => {
  test('sign-in is throttled per client address, with a translated answer, until the window passes', async () => {
    // Below the per-address throttle's 10 free failures, so the form limit is what answers.
    const m = await startMamori(store, { MAMORI_SIGN_IN_LIMIT_PER_MINUTE: '8' });
    try {
      const client = new TestClient(m.app);
      await client.get('/sign-in');
      for (let i = 0; i < 8; i += 1)
        assert.equal(
          (await client.post('/sign-in', { email: `u${i}@example.com`, password: 'wrong password here' })).statusCode,
          401,
        );
      const limited = await client.post('/sign-in', { email: 'u@example.com', password: 'wrong password here' });
      assert.equal(limited.statusCode, 429);
      assert.match(limited.body, /Too many attempts/);
      const ja = await client.post('/sign-in', { email: 'u@example.com', password: 'x' }, { 'accept-language': 'ja' });
      assert.match(ja.body, /試行回数が多すぎます/);
      assert.equal(
        (await client.post('/forgot-password', { email: 'u@example.com' })).statusCode,
        200,
        'other routes count separately',
      );
      m.clock.advance(60_000);
      assert.equal(
        (await client.post('/sign-in', { email: 'u@example.com', password: 'wrong password here' })).statusCode,
        401,
      );
    } finally {
      await m.close();
    }
  });

  test("intruder: the sign-in form under a shop's interaction shares the count, so switching addresses buys no tries", async () => {
    const m = await startMamori(store, { MAMORI_SIGN_IN_LIMIT_PER_MINUTE: '8' });
    try {
      const client = new TestClient(m.app);
      await client.get('/sign-in');
      const form = (i: number) => ({ email: `u${i}@example.com`, password: 'wrong password here' });
      for (let i = 0; i < 8; i += 1) {
        const path = i % 2 === 0 ? '/sign-in' : '/interaction/some-interaction/sign-in';
        assert.equal((await client.post(path, form(i))).statusCode, 401, path);
      }
      assert.equal((await client.post('/interaction/another/sign-in', form(8))).statusCode, 429);
      assert.equal((await client.post('/sign-in', form(9))).statusCode, 429);
    } finally {
      await m.close();
    }
  });

  test('one busy shared address does not keep out a browser the account has signed in from before', async () => {
    const m = await startMamori(store, {
      MAMORI_SIGN_IN_LIMIT_PER_MINUTE: '8',
      MAMORI_RISK_CHALLENGE_AT: '101',
      MAMORI_RISK_DENY_AT: '101',
    });
    try {
      const owner = await registerAndVerify(m, 'hana@example.com');
      assert.equal((await signIn(m, 'hana@example.com', PASSWORD, owner)).res.statusCode, 303);
      await owner.post('/sign-out');
      const stranger = new TestClient(m.app);
      await stranger.get('/sign-in');
      for (let i = 0; i < 8; i += 1)
        await stranger.post('/sign-in', { email: `u${i}@example.com`, password: 'wrong password here' });
      assert.equal(
        (await stranger.post('/sign-in', { email: 'hana@example.com', password: PASSWORD })).statusCode,
        429,
        'a stranger on the same address waits',
      );
      await owner.get('/sign-in');
      assert.equal(
        (await owner.post('/sign-in', { email: 'hana@example.com', password: PASSWORD })).statusCode,
        303,
        "the owner's own browser gets in",
      );
    } finally {
      await m.close();
    }
  });

  if (store === 'postgres') {
    test('two instances on one database share the count (no in-memory state that matters)', async () => {
      const first = await startMamori('postgres');
      const second = await composeMamori(first.config, {
        clock: first.clock,
        mailer: first.mailer,
        workerIntervalMs: 0,
        log: pino({ level: 'silent' }),
      });
      try {
        const a = new TestClient(first.app);
        const b = new TestClient(second.app);
        await a.get('/forgot-password');
        await b.get('/forgot-password');
        for (let i = 0; i < 3; i += 1)
          assert.equal((await a.post('/forgot-password', { email: 'x@example.com' })).statusCode, 200);
        for (let i = 0; i < 2; i += 1)
          assert.equal((await b.post('/forgot-password', { email: 'x@example.com' })).statusCode, 200);
        assert.equal((await a.post('/forgot-password', { email: 'x@example.com' })).statusCode, 429);
        assert.equal((await b.post('/forgot-password', { email: 'x@example.com' })).statusCode, 429);
      } finally {
        await second.close();
        await first.close();
      }
    });
  }
});
