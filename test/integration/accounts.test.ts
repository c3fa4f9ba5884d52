import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';
import { PASSWORD, registerAndVerify, signIn } from '../support/flows.ts';

/** Pages carry a fresh CSRF token each time; everything else must be byte-identical. */
const withoutCsrf = (body: string) => body.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""');

forEachStore('accounts', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store);
  });
  afterEach(async () => {
    await m.close();
  });

  test('register, verify by the mailed link, sign in, and the session answers who it is', async () => {
    const client = await registerAndVerify(m, 'hana@example.com');
    const { res } = await signIn(m, 'hana@example.com', PASSWORD, client);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/account');
    const me = await client.get('/api/session');
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().account.email, 'hana@example.com');
    const account = await client.get('/account');
    assert.match(account.body, /hana@example\.com/);
  });

  test('opening the verification link (GET) changes nothing; only the POST verifies, once', async () => {
    const client = new TestClient(m.app);
    await client.get('/register');
    await client.post('/register', { name: 'Ken', email: 'ken@example.com', password: PASSWORD });
    await m.deliver();
    const link = m.mailer.link('ken@example.com', '/verify-email');
    for (let i = 0; i < 3; i += 1) assert.equal((await client.get(pathOf(link))).statusCode, 200);
    const before = await m.deps.db
      .selectFrom('accounts')
      .select('email_verified_at')
      .where('email', '=', 'ken@example.com')
      .executeTakeFirstOrThrow();
    assert.equal(before.email_verified_at, null);
    assert.equal((await client.post('/verify-email', { token: tokenOf(link) })).statusCode, 303);
    const reused = await client.post('/verify-email', { token: tokenOf(link) });
    assert.equal(reused.statusCode, 400);
    assert.match(reused.body, /already used, has expired/);
  });

  test('an expired verification link is refused (fake clock, 24 h)', async () => {
    const client = new TestClient(m.app);
    await client.get('/register');
    await client.post('/register', { name: 'Ken', email: 'ken@example.com', password: PASSWORD });
    await m.deliver();
    const link = m.mailer.link('ken@example.com', '/verify-email');
    m.clock.advance(24 * 3_600_000 + 1000);
    assert.equal((await client.get(pathOf(link))).statusCode, 400);
    assert.equal((await client.post('/verify-email', { token: tokenOf(link) })).statusCode, 400);
  });

  test('no plaintext token is stored: only SHA-256 hashes', async () => {
    const client = new TestClient(m.app);
    await client.get('/register');
    await client.post('/register', { name: 'Ken', email: 'ken@example.com', password: PASSWORD });
    await m.deliver();
    const token = tokenOf(m.mailer.link('ken@example.com', '/verify-email'));
    const rows = await m.deps.db.selectFrom('one_time_tokens').selectAll().execute();
    assert.ok(rows.length > 0);
    for (const row of rows) assert.ok(!JSON.stringify(row).includes(token));
    const outbox = await m.deps.db.selectFrom('outbox').select('model').execute();
    for (const row of outbox) assert.equal(row.model, null, 'sent mail keeps no link');
  });

  test('registration answers the same for a new and a taken address (STANDARDS D1)', async () => {
    await registerAndVerify(m, 'hana@example.com');
    const a = new TestClient(m.app);
    await a.get('/register');
    const taken = await a.post('/register', {
      name: 'X',
      email: 'hana@example.com',
      password: 'plum orbit canyon lantern',
    });
    const b = new TestClient(m.app);
    await b.get('/register');
    const fresh = await b.post('/register', {
      name: 'X',
      email: 'nobody@example.com',
      password: 'plum orbit canyon lantern',
    });
    assert.equal(taken.statusCode, fresh.statusCode);
    assert.equal(
      withoutCsrf(taken.body).replace('hana@example.com', 'E'),
      withoutCsrf(fresh.body).replace('nobody@example.com', 'E'),
    );
    await m.deliver();
    assert.match(m.mailer.to('hana@example.com').at(-1)?.subject ?? '', /tried to create an account/);
  });

  test('sign-in failures look the same for unknown address, wrong password and unverified account', async () => {
    await registerAndVerify(m, 'hana@example.com');
    const unknown = (await signIn(m, 'who@example.com', 'some long wrong password')).res;
    const wrong = (await signIn(m, 'hana@example.com', 'some long wrong password')).res;
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.statusCode, 401);
    assert.equal(
      withoutCsrf(unknown.body).replaceAll('who@example.com', 'E'),
      withoutCsrf(wrong.body).replaceAll('hana@example.com', 'E'),
    );
    assert.match(wrong.body, /do not match an account/);
  });

  test('password rules: 15+ characters, blocklist and context words with the reason shown (STANDARDS A1, A4)', async () => {
    const client = new TestClient(m.app);
    await client.get('/register');
    const short = await client.post('/register', { name: 'Ken', email: 'ken@example.com', password: 'fourteen chars' });
    assert.equal(short.statusCode, 400);
    assert.match(short.body, /at least 15 characters/);
    const shop = await client.post('/register', {
      name: 'Ken',
      email: 'ken@example.com',
      password: 'maplemarket2024passwd!',
    });
    assert.equal(shop.statusCode, 400);
    assert.match(shop.body, /built from the shop name/);
    const common = await client.post('/register', {
      name: 'Ken',
      email: 'ken@example.com',
      password: 'password12345678',
    });
    assert.match(common.body, /common or leaked passwords/);
    assert.equal(await m.deps.db.selectFrom('accounts').select('id').executeTakeFirst(), undefined, 'nothing stored');
    assert.match(short.body, /value="ken@example\.com"/, 'the address typed is kept');
    assert.doesNotMatch(short.body, /fourteen chars/, 'the password is never echoed');
  });

  test('a 64-character passphrase works and its 63-character prefix does not (STANDARDS A2)', async () => {
    const long = 'the quiet river bends twice before the old mill near the harbour';
    assert.equal(long.length, 64);
    await registerAndVerify(m, 'long@example.com', long);
    assert.equal((await signIn(m, 'long@example.com', long)).res.statusCode, 303);
    assert.equal((await signIn(m, 'long@example.com', long.slice(0, 63))).res.statusCode, 401);
  });

  test('passwords are stored as argon2id m=19456,t=2,p=1 and re-hashed when the cost rises (STANDARDS B1, B2)', async () => {
    await registerAndVerify(m, 'hana@example.com');
    const row = await m.deps.db
      .selectFrom('accounts')
      .select('password_hash')
      .where('email', '=', 'hana@example.com')
      .executeTakeFirstOrThrow();
    assert.match(row.password_hash ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const { PasswordHasher } = await import('../../src/platform/password-hasher.ts');
    const { signIn: signInService } = await import('../../src/services/sign-in/password-step.ts');
    const stronger = { ...m.deps, hasher: new PasswordHasher({ memoryCost: 19456, timeCost: 3, parallelism: 1 }, 2) };
    await signInService(
      stronger,
      { email: 'hana@example.com', password: PASSWORD },
      { ip: '127.0.0.1', userAgent: 'test' },
    );
    const after = await m.deps.db
      .selectFrom('accounts')
      .select('password_hash')
      .where('email', '=', 'hana@example.com')
      .executeTakeFirstOrThrow();
    assert.match(after.password_hash ?? '', /^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
  });

  test('the session cookie is HttpOnly, SameSite=Lax, Path=/ and not readable before sign-in', async () => {
    await registerAndVerify(m, 'hana@example.com');
    const { res } = await signIn(m, 'hana@example.com');
    const cookie =
      String(res.headers['set-cookie'])
        .split(',')
        .find((c) => c.startsWith('mamori_session=')) ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    assert.match(cookie, /^mamori_session=[A-Za-z0-9_-]{43};/);
  });
});

forEachStore('accounts over https', (store) => {
  test('with an https public URL the cookie is __Host- prefixed and Secure, and links ignore the Host header', async () => {
    const m = await startMamori(store, { MAMORI_PUBLIC_URL: 'https://account.maple.example' });
    try {
      const client = new TestClient(m.app, { 'user-agent': 'test', host: 'evil.example' });
      await registerAndVerify(m, 'hana@example.com').catch(() => undefined);
      await client.get('/sign-in');
      const res = await client.post('/sign-in', { email: 'hana@example.com', password: PASSWORD });
      const cookie = String(res.headers['set-cookie']);
      assert.match(cookie, /__Host-mamori_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax/);
      assert.match(String(res.headers['strict-transport-security']), /max-age=31536000/);
      await client.get('/forgot-password');
      await client.post('/forgot-password', { email: 'hana@example.com' });
      await m.deliver();
      assert.ok(
        m.mailer
          .link('hana@example.com', '/reset-password')
          .startsWith('https://account.maple.example/reset-password?token='),
      );
    } finally {
      await m.close();
    }
  });
});
