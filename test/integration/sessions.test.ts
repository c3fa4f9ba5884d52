import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { insertSession, touchSession } from '../../src/store/sessions.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { postgresUnavailable } from '../support/postgres.ts';
import { TestClient } from '../support/http-client.ts';
import { PASSWORD, registerAndVerify, signIn } from '../support/flows.ts';
const MINUTE = 60_000;

forEachStore('sessions', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store, { MAMORI_SESSION_IDLE_MINUTES: '60', MAMORI_SESSION_ABSOLUTE_HOURS: '24' });
    await registerAndVerify(m, 'hana@example.com');
  });
  afterEach(async () => {
    await m.close();
  });

  test('idle and absolute expiry are enforced on the server (fake clock, STANDARDS G3)', async () => {
    const { client } = await signIn(m, 'hana@example.com');
    m.clock.advance(59 * MINUTE);
    assert.equal((await client.get('/api/session')).statusCode, 200);
    m.clock.advance(59 * MINUTE);
    assert.equal((await client.get('/api/session')).statusCode, 200, 'activity keeps it alive');
    m.clock.advance(60 * MINUTE);
    assert.equal((await client.get('/api/session')).statusCode, 401, 'idle limit');

    const second = (await signIn(m, 'hana@example.com')).client;
    for (let step = 0; step < 28; step += 1) {
      m.clock.advance(50 * MINUTE);
      assert.equal((await second.get('/api/session')).statusCode, 200);
    }
    m.clock.advance(50 * MINUTE);
    assert.equal((await second.get('/api/session')).statusCode, 401, 'absolute limit');
  });

  test('a returning browser signs in without waking the mail worker; a new browser wakes it for its notice', async () => {
    let wakes = 0;
    const wake = m.deps.mailQueued;
    m.deps.mailQueued = () => {
      wakes += 1;
      wake();
    };
    const outbox = async () =>
      (await m.deps.db.selectFrom('outbox').select('template').execute()).map((row) => row.template);
    const { client } = await signIn(m, 'hana@example.com');
    const before = { wakes, mail: (await outbox()).length };
    await signIn(m, 'hana@example.com', PASSWORD, client);
    await signIn(m, 'hana@example.com', PASSWORD, client);
    assert.deepEqual({ wakes, mail: (await outbox()).length }, before, 'nothing to deliver, nothing woken');

    await signIn(m, 'hana@example.com', PASSWORD, new TestClient(m.app));
    assert.ok(wakes > before.wakes, 'the new-browser notice is delivered without waiting for the next poll');
    assert.ok((await outbox()).includes('security-notice'));
  });

  test('a token from before sign-in is never promoted (fixation) and each sign-in gets a new one', async () => {
    const client = new TestClient(m.app);
    client.cookies.set('mamori_session', 'A'.repeat(43));
    await signIn(m, 'hana@example.com', PASSWORD, client);
    const token = client.cookies.get('mamori_session');
    assert.notEqual(token, 'A'.repeat(43));
    const again = await signIn(m, 'hana@example.com');
    assert.notEqual(again.client.cookies.get('mamori_session'), token);
  });

  test('sessions are listed with device and network; signing one out makes its next request 401', async () => {
    const laptop = (await signIn(m, 'hana@example.com')).client;
    const phone = new TestClient(m.app, {
      'user-agent':
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    });
    await signIn(m, 'hana@example.com', PASSWORD, phone);
    const page = await laptop.get('/account/sessions');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Chrome 131 · Linux/);
    assert.match(page.body, /Mobile Safari 17 · iOS 17.4/);
    const rows = [...page.body.matchAll(/data-session="([0-9a-f-]{36})"><td>([^<]+)/g)];
    const phoneRow = rows.find(([, , label]) => label?.includes('iOS'));
    assert.ok(phoneRow?.[1]);
    const res = await laptop.post(`/account/sessions/${phoneRow[1]}/sign-out`);
    assert.equal(res.statusCode, 303);
    assert.equal((await phone.get('/api/session')).statusCode, 401);
    assert.equal((await laptop.get('/api/session')).statusCode, 200);
  });

  test('one account cannot sign out the sessions of another', async () => {
    const other = await registerAndVerify(m, 'ken@example.com');
    await signIn(m, 'ken@example.com', PASSWORD, other);
    const kenSession = await m.deps.db
      .selectFrom('sessions')
      .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
      .select('sessions.id')
      .where('accounts.email', '=', 'ken@example.com')
      .executeTakeFirstOrThrow();
    const hana = (await signIn(m, 'hana@example.com')).client;
    await hana.get('/account/sessions');
    assert.equal((await hana.post(`/account/sessions/${kenSession.id}/sign-out`)).statusCode, 404);
    assert.equal((await other.get('/api/session')).statusCode, 200);
  });

  test('sign out everywhere ends every session, this one included', async () => {
    const a = (await signIn(m, 'hana@example.com')).client;
    const b = (await signIn(m, 'hana@example.com')).client;
    await a.get('/account/sessions');
    const res = await a.post('/account/sessions/sign-out-everywhere');
    assert.equal(res.statusCode, 303);
    assert.match(String(res.headers['clear-site-data']), /cache/);
    assert.match(String(res.headers['set-cookie']), /mamori_session=;/);
    assert.equal((await a.get('/api/session')).statusCode, 401);
    assert.equal((await b.get('/api/session')).statusCode, 401);
    assert.equal((await b.get('/account')).headers.location, '/sign-in?returnTo=%2Faccount');
  });

  test('sign out invalidates the session on the server, not just the cookie', async () => {
    const { client } = await signIn(m, 'hana@example.com');
    const token = client.cookies.get('mamori_session') ?? '';
    await client.get('/account');
    await client.post('/sign-out');
    const replay = new TestClient(m.app);
    replay.cookies.set('mamori_session', token);
    assert.equal((await replay.get('/api/session')).statusCode, 401);
  });

  test('sensitive changes need a sign-in from the last 15 minutes; re-authenticating rotates the token', async () => {
    const { client } = await signIn(m, 'hana@example.com');
    m.clock.advance(16 * MINUTE);
    await client.get('/account');
    const blocked = await client.post('/account/phone', { phone: '+81 90-0000-1111' });
    assert.equal(blocked.statusCode, 303);
    assert.equal(blocked.headers.location, '/reauth?returnTo=%2Faccount');
    assert.equal((await client.get('/account/sessions')).statusCode, 303);
    const oldToken = client.cookies.get('mamori_session') ?? '';
    await client.get('/reauth?returnTo=/account');
    const wrong = await client.post('/reauth', { password: 'not my password at all', returnTo: '/account' });
    assert.equal(wrong.statusCode, 400);
    const ok = await client.post('/reauth', { password: PASSWORD, returnTo: '/account' });
    assert.equal(ok.statusCode, 303);
    assert.notEqual(client.cookies.get('mamori_session'), oldToken);
    const stale = new TestClient(m.app);
    stale.cookies.set('mamori_session', oldToken);
    assert.equal((await stale.get('/api/session')).statusCode, 401);
    await client.get('/account');
    assert.equal((await client.post('/account/phone', { phone: '+81 90-0000-1111' })).statusCode, 303);
    const row = await m.deps.db
      .selectFrom('accounts')
      .select('phone')
      .where('email', '=', 'hana@example.com')
      .executeTakeFirstOrThrow();
    assert.equal(row.phone, '+81 90-0000-1111');
  });

  test('open redirects are refused after sign-in', async () => {
    const client = new TestClient(m.app);
    await client.get('/sign-in');
    const res = await client.post('/sign-in', {
      email: 'hana@example.com',
      password: PASSWORD,
      returnTo: '//evil.example/x',
    });
    assert.equal(res.headers.location, '/account');
  });
});

// A PostgreSQL storage setting (migration 0016): SQLite has nothing like it.
describe('sessions [postgres storage]', { skip: postgresUnavailable ?? false }, () => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori('postgres');
    await registerAndVerify(m, 'hana@example.com');
  });
  afterEach(async () => {
    await m.close();
  });

  test('a touch rewrites no index on PostgreSQL: the sessions table leaves room on each page (a HOT update)', async () => {
    const account = await m.deps.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow();
    const at = m.clock.now().toISOString();
    const ids = Array.from({ length: 300 }, () => m.deps.random.id());
    for (const id of ids)
      await insertSession(m.deps.db, {
        id,
        token_hash: m.deps.random.token(),
        account_id: account.id,
        device_label: 'Firefox on Linux',
        user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0',
        ip: '198.51.100.7',
        area: null,
        created_at: at,
        last_seen_at: at,
        authenticated_at: at,
        revoked_at: null,
        revoke_reason: null,
        device_id: null,
        risk_decision: 'allow',
        amr: 'pwd',
      });
    const later = new Date(m.clock.now().getTime() + 2 * MINUTE).toISOString();
    // One session in twenty, as sessions come back: this transaction's own counts say how each was written.
    const counts = await m.deps.db.transaction().execute(async (trx) => {
      for (const id of ids.filter((_, i) => i % 20 === 0)) await touchSession(trx, id, later);
      return (
        await sql<{ updated: string; hot: string }>`
            SELECT n_tup_upd AS updated, n_tup_hot_upd AS hot FROM pg_stat_xact_user_tables WHERE relname = 'sessions'`.execute(
          trx,
        )
      ).rows[0];
    });
    assert.deepEqual(counts && { updated: Number(counts.updated), hot: Number(counts.hot) }, {
      updated: 15,
      hot: 15,
    });
  });
});
