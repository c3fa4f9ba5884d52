import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';
import { registerAndVerify, signIn } from '../support/flows.ts';

/** Every form route, with a valid submission to start from. */
const PUBLIC_FORMS: Record<string, Record<string, string>> = {
  '/register': { name: 'Ken', email: 'ken@example.com', password: 'plum orbit canyon lantern' },
  '/sign-in': { email: 'hana@example.com', password: 'violet kettle harbour drum' },
  '/forgot-password': { email: 'hana@example.com' },
  '/verify-email': { token: 'A'.repeat(43) },
  '/reset-password': { token: 'A'.repeat(43), password: 'plum orbit canyon lantern' },
  '/confirm-email': { token: 'A'.repeat(43) },
  '/language': { locale: 'en', returnTo: '/' },
  '/sign-in/two-step': { code: '123456' },
  '/sign-in/two-step/resend': {},
  '/sign-in/passkey': { credential: '{}' },
  '/held/cancel': { token: 'A'.repeat(43) },
  '/recover/passkey': { token: 'A'.repeat(43), password: 'plum orbit canyon lantern', credential: '{}' },
};
const ACCOUNT_FORMS: Record<string, Record<string, string>> = {
  '/account/name': { name: 'Hana' },
  '/account/phone': { phone: '+81 90-1111-2222' },
  '/account/email': { newEmail: 'new@example.com', currentPassword: 'violet kettle harbour drum' },
  '/account/password': { currentPassword: 'violet kettle harbour drum', newPassword: 'amber falcon quarry ribbon' },
  '/account/addresses': {
    recipient: 'Hana',
    postalCode: '150-0001',
    region: 'Tokyo',
    city: 'Shibuya',
    line1: '1-2-3',
    country: 'JP',
  },
  '/account/payment-methods': {
    processorToken: 'tok_abc123',
    brand: 'visa',
    last4: '4242',
    expMonth: '12',
    expYear: '2030',
  },
  '/reauth': { password: 'violet kettle harbour drum' },
  '/account/passkeys': { name: 'Laptop', credential: '{}' },
};
const ALL_FORMS = { ...PUBLIC_FORMS, ...ACCOUNT_FORMS };

function assertNoLeak(body: string) {
  assert.doesNotMatch(
    body,
    /\bat [\w.<>]+ \(|\.ts:\d+|node_modules|stack|TypeError|SyntaxError/i,
    'no stack trace or internals',
  );
}

forEachStore('bad input', (store) => {
  let m: TestMamori;
  let client: TestClient;
  let snapshot: string;

  const tableSnapshot = async () =>
    JSON.stringify(
      await Promise.all(
        (['accounts', 'addresses', 'payment_methods', 'subscriptions', 'one_time_tokens'] as const).map((t) =>
          m.deps.db.selectFrom(t).selectAll().execute(),
        ),
      ),
    );

  before(async () => {
    m = await startMamori(store);
    await registerAndVerify(m, 'hana@example.com');
    client = (await signIn(m, 'hana@example.com')).client;
    await client.get('/account');
    snapshot = await tableSnapshot();
  });
  after(async () => {
    await m.close();
  });
  // Each test starts in a fresh rate-limit window; the limits themselves are tested in rate-limits.test.ts.
  beforeEach(() => m.clock.advance(61_000));

  test('every form refuses a post without the CSRF token, and changes nothing', async () => {
    for (const [path, form] of Object.entries(ALL_FORMS)) {
      const res = await client.post(path, { ...form, _csrf: '' });
      assert.equal(res.statusCode, 403, path);
      assert.match(res.body, /did not come from this site/, path);
      assertNoLeak(res.body);
    }
    const forged = await client.post('/account/name', { name: 'Mallory', _csrf: 'forged-token-value' });
    assert.equal(forged.statusCode, 403);
    assert.equal(await tableSnapshot(), snapshot);
  });

  test('every form names the missing fields with a translated message', async () => {
    for (const path of Object.keys(ALL_FORMS)) {
      // An empty phone form is a valid request (it removes the number); reauth is covered in sessions.test.ts.
      if (path === '/reauth' || path === '/account/phone') continue;
      const res = await client.post(path, {});
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${path}: ${res.statusCode}`);
      assertNoLeak(res.body);
    }
    const ja = await client.post('/register', {}, { 'accept-language': 'ja' });
    assert.equal(ja.statusCode, 400);
    assert.match(ja.body, /この項目は必須です/);
    const en = await client.post('/account/addresses', { recipient: 'Hana' });
    assert.match(en.body, /This field is required/);
    assert.match(en.body, /value="Hana"/, 'what was typed is kept');
    assert.equal(await tableSnapshot(), snapshot);
  });

  test('a 10 MB body and a 1 MB password get 413 with a message, quickly', async () => {
    const huge = await client.raw({
      method: 'POST',
      url: '/register',
      payload: Buffer.alloc(10 * 1024 * 1024, 'a'),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(huge.statusCode, 413);
    assert.match(huge.body, /too large/);
    for (const path of ['/sign-in', '/register', '/account/password']) {
      const started = process.hrtime.bigint();
      const res = await client.post(path, {
        email: 'hana@example.com',
        name: 'x',
        password: 'p'.repeat(1024 * 1024),
        currentPassword: 'x',
        newPassword: 'x',
      });
      assert.equal(res.statusCode, 413, path);
      assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 5000, 'bounded');
      assertNoLeak(res.body);
    }
    assert.equal(await tableSnapshot(), snapshot);
  });

  test('a password over 256 characters is refused with its reason, not hashed', async () => {
    const res = await client.post('/register', { name: 'Ken', email: 'ken@example.com', password: 'long '.repeat(60) });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /at most 256 characters/);
  });

  test('markup, control characters and invalid UTF-8 in text fields are refused; nothing stored', async () => {
    const script = await client.post('/account/name', { name: '<script>alert(1)</script>' });
    assert.equal(script.statusCode, 400);
    assert.match(script.body, /leave out &lt; and &gt;/);
    assert.doesNotMatch(script.body, /<script>alert/);
    const control = await client.post('/account/addresses', {
      ...ACCOUNT_FORMS['/account/addresses'],
      line1: 'a\u0000b',
    });
    assert.equal(control.statusCode, 400);
    assert.match(control.body, /characters that are not allowed/);
    const rawBytes = Buffer.concat([
      Buffer.from(`_csrf=${encodeURIComponent(client.csrf)}&name=`),
      Buffer.from([0xff, 0xfe, 0x41]),
    ]);
    const invalid = await client.raw({
      method: 'POST',
      url: '/account/name',
      payload: rawBytes,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(invalid.statusCode, 400);
    const percent = await client.post('/account/name', {}, {});
    assert.equal(percent.statusCode, 400);
    const encoded = await client.raw({
      method: 'POST',
      url: '/account/name',
      payload: `_csrf=${encodeURIComponent(client.csrf)}&name=%FF%FEabc`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(encoded.statusCode, 400);
    assert.equal(await tableSnapshot(), snapshot);
  });

  test('SQL-looking input is refused where it cannot be valid and stored verbatim where it can', async () => {
    const email = await client.post('/sign-in', { email: "' OR 1=1 --", password: 'x' });
    assert.equal(email.statusCode, 400);
    assert.match(email.body, /Enter an email address like/);
    // A name like O'Brien is legitimate: it is stored as typed through bound parameters, and the table survives.
    const name = "O'Brien'); DROP TABLE accounts;--";
    assert.equal((await client.post('/account/name', { name })).statusCode, 303);
    const row = await m.deps.db
      .selectFrom('accounts')
      .select('name')
      .where('email', '=', 'hana@example.com')
      .executeTakeFirstOrThrow();
    assert.equal(row.name, name);
    await client.post('/account/name', { name: 'Hana Sato' });
    snapshot = await tableSnapshot();
  });

  test('wrong content types and malformed JSON get a clear 4xx', async () => {
    const xml = await client.raw({
      method: 'POST',
      url: '/account/name',
      payload: '<name>x</name>',
      headers: { 'content-type': 'application/xml' },
    });
    assert.equal(xml.statusCode, 415);
    assert.match(xml.body, /cannot be sent here/);
    const text = await client.raw({
      method: 'POST',
      url: '/account/name',
      payload: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(text.statusCode, 403);
    const json = await client.raw({
      method: 'POST',
      url: '/account/name',
      payload: '{"name": ',
      headers: { 'content-type': 'application/json', 'x-csrf-token': client.csrf },
    });
    assert.equal(json.statusCode, 400);
    assertNoLeak(json.body);
    assert.equal(await tableSnapshot(), snapshot);
  });

  test('ids in paths are checked; a stranger id is a 404, not an error', async () => {
    for (const path of [
      '/account/addresses/not-an-id/remove',
      '/account/payment-methods/00000000-0000-4000-8000-000000000000/remove',
      "/account/subscriptions/1' OR '1'='1",
    ]) {
      const res = await client.post(path, { interval: 'weekly', status: 'active' });
      assert.equal(res.statusCode, 404, path);
      assertNoLeak(res.body);
    }
  });

  test('unknown pages and forged session cookies get a clear answer', async () => {
    const missing = await client.get('/no/such/page');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /could not find that page/);
    const forged = new TestClient(m.app);
    forged.cookies.set('mamori_session', "'; DROP TABLE sessions;--");
    const api = await forged.get('/api/session');
    assert.equal(api.statusCode, 401);
    assert.equal(api.json().error.code, 'UNAUTHENTICATED');
    assert.equal((await forged.get('/account')).statusCode, 303);
  });

  test('GET never changes state: every page can be loaded any number of times', async () => {
    for (const path of [
      '/',
      '/register',
      '/sign-in',
      '/forgot-password',
      '/account',
      '/account/sessions',
      '/account/passkeys',
      '/sign-in/two-step',
      '/api/session',
      '/verify-email?token=x',
      '/reset-password?token=x',
      '/confirm-email?token=x',
      '/held/cancel?token=x',
    ]) {
      await client.get(path);
      await client.get(path);
    }
    assert.equal(await tableSnapshot(), snapshot);
  });

  test('passkey answers that are not JSON, too big or the wrong shape get a clear 400; options need the CSRF header', async () => {
    const page = await client.get('/sign-in');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const hostile = [
      'not json',
      JSON.stringify({ id: 'x', rawId: 'x', type: 'public-key', response: {} }),
      JSON.stringify({
        id: '<script>',
        rawId: 'x',
        type: 'public-key',
        response: { clientDataJSON: 'a', authenticatorData: 'b', signature: 'c' },
      }),
      JSON.stringify({
        id: 'AAAA',
        rawId: 'AAAA',
        type: 'public-key',
        clientExtensionResults: {},
        response: {
          clientDataJSON: Buffer.from('{"challenge":"nope"}').toString('base64url'),
          authenticatorData: 'AAAA',
          signature: 'AAAA',
        },
      }),
      'x'.repeat(40_000),
    ];
    for (const credential of hostile) {
      const res = await client.post('/sign-in/passkey', { credential });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /passkey could not be used/);
      assertNoLeak(res.body);
      const recover = await client.post('/recover/passkey', {
        token: 'A'.repeat(43),
        password: 'plum orbit canyon lantern',
        credential,
      });
      assert.equal(recover.statusCode, 400);
      assertNoLeak(recover.body);
      const add = await client.post('/account/passkeys', { name: 'Laptop', credential });
      assert.ok(add.statusCode === 400 || add.statusCode === 303, String(add.statusCode));
      assertNoLeak(add.body);
    }
    const noHeader = await client.raw({
      method: 'POST',
      url: '/sign-in/passkey/options',
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(noHeader.statusCode, 403);
    const first = await client.raw({
      method: 'POST',
      url: '/sign-in/passkey/options',
      payload: '{}',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    });
    const second = await client.raw({
      method: 'POST',
      url: '/sign-in/passkey/options',
      payload: '{"email":"nobody@example.com"}',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    });
    assert.equal(first.statusCode, 200);
    const recoveryOptions = await client.raw({
      method: 'POST',
      url: `/recover/passkey/options?token=${'A'.repeat(43)}`,
      payload: '{}',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    });
    assert.equal(recoveryOptions.statusCode, 400, 'no challenge without a live recovery link');
    assertNoLeak(recoveryOptions.body);
    // The same answer whatever is sent: no allowCredentials, so no address is confirmed or denied.
    const shape = (body: string) => JSON.stringify({ ...JSON.parse(body), challenge: '' });
    assert.equal(shape(second.body), shape(first.body));
    assert.notEqual(JSON.parse(first.body).challenge, JSON.parse(second.body).challenge);
    assert.deepEqual(Object.keys(JSON.parse(first.body)).sort(), ['challenge', 'rpId', 'timeout', 'userVerification']);
    assert.equal(await tableSnapshot(), snapshot);
  });
  test("a URL the router cannot decode gets the app's own page with its security headers, echoing nothing", async () => {
    for (const url of ['/%FF%FE', '/report?token=%FF', '/staff/accounts/%E0%A4%A/reply']) {
      const res = await m.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 400, url);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.doesNotMatch(res.body, /%FF|%E0|valid url component|statusCode/);
    }
  });
});
