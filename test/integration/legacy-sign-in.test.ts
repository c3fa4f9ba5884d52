import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { SIGNATURE_HEADER } from '../../src/platform/legacy-sign-in.ts';
import { findAccountByEmail } from '../../src/store/accounts.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';
import { postSignIn, signIn } from '../support/flows.ts';
import { listenOnLoopback } from '../support/loopback.ts';

const SECRET = 'the-old-shop-and-mamori-share-this-secret';
const SHOP = 'maple-shop';
const PASSWORD = 'her old shop password';

type Mode = 'yes' | 'no' | 'never' | 'garbage' | '500' | 'other-address' | 'unsigned';
interface Call {
  email: string;
  password: string;
  timestamp: number;
  signed: boolean;
}

/**
 * The shop's old system, as the README documents it: it checks Mamori's signature (a request it cannot
 * verify gets a 401) and answers what the test set. `never` holds the request open forever.
 */
class FakeLegacySystem {
  mode: Mode = 'yes';
  readonly calls: Call[] = [];
  private readonly server: Server = createServer((req, res) => void this.answer(req, res));
  port = 0;

  async start() {
    this.port = await listenOnLoopback(this.server);
  }
  stop() {
    this.server.closeAllConnections();
    this.server.close();
  }
  get url() {
    return `http://127.0.0.1:${this.port}/mamori/check`;
  }

  private async answer(req: IncomingMessage, res: ServerResponse) {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    const given = Buffer.from(String(req.headers[SIGNATURE_HEADER] ?? ''));
    const signed = given.length === expected.length && timingSafeEqual(given, expected);
    const asked = JSON.parse(body) as { email: string; password: string; timestamp: number };
    this.calls.push({ ...asked, signed });
    if (this.mode === 'never') return;
    if (!signed) return void res.writeHead(401).end();
    const json = (value: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const profile = { shopCustomerId: `wc-${asked.email}`, email: asked.email, emailVerified: true, name: 'Hana Sato' };
    switch (this.mode) {
      case 'yes':
        return json(asked.password === PASSWORD ? { match: true, profile } : { match: false });
      case 'no':
        return json({ match: false });
      case 'garbage':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"match": "sure", "profile": 42');
      case '500':
        return void res.writeHead(500).end('Internal Server Error');
      case 'other-address':
        return json({ match: true, profile: { ...profile, email: 'someone-else@example.com' } });
    }
  }
}

/** The page without what differs from one request to the next (the CSRF token, the address typed). */
const samePage = (body: string, email: string) =>
  body.replaceAll(email, '<email>').replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""');

forEachStore('Live trickle migration from the shop’s old system', (store) => {
  const legacy = new FakeLegacySystem();
  let m: TestMamori;
  before(() => legacy.start());
  after(() => legacy.stop());
  beforeEach(async () => {
    legacy.mode = 'yes';
    legacy.calls.length = 0;
    m = await startMamori(store, {
      MAMORI_LEGACY_SIGN_IN_URL: legacy.url,
      MAMORI_LEGACY_SIGN_IN_SECRET: SECRET,
      MAMORI_LEGACY_SIGN_IN_CLIENT: SHOP,
      MAMORI_LEGACY_SIGN_IN_TIMEOUT_MS: '300',
    });
  });
  afterEach(async () => {
    await m.close();
  });

  const accounts = async () => (await m.deps.db.selectFrom('accounts').select('id').execute()).length;

  test('"yes": the account is made from the profile with a Mamori hash and signed in; the next sign-in never asks again', async () => {
    const email = 'hana@example.com';
    const { res } = await signIn(m, email, PASSWORD);
    assert.equal(res.statusCode, 303, String(res.body));
    assert.equal(legacy.calls.length, 1);
    const [call] = legacy.calls;
    assert.ok(call?.signed, 'the old system could verify the signature');
    assert.equal(call?.timestamp, Math.floor(m.clock.now().getTime() / 1000), 'timestamp from Mamori’s clock');
    const account = await findAccountByEmail(m.deps.db, email);
    assert.ok(account);
    assert.match(account.password_hash ?? '', /^\$argon2id\$/, 'the password just typed, hashed by Mamori');
    assert.equal(account.name, 'Hana Sato');
    assert.ok(account.email_verified_at, 'the old system said the address was verified');
    const shopId = await m.deps.db
      .selectFrom('imported_customer_ids')
      .select(['client_id', 'shop_customer_id'])
      .where('account_id', '=', account.id)
      .execute();
    assert.deepEqual(shopId, [{ client_id: SHOP, shop_customer_id: `wc-${email}` }]);
    const left = await m.deps.db.selectFrom('imported_passwords').selectAll().execute();
    assert.deepEqual(left, [], 'nothing waits for a first sign-in');
    const entries = await m.deps.db
      .selectFrom('account_log')
      .select(['kind', 'subject_id', 'after_value'])
      .where('account_id', '=', account.id)
      .orderBy('seq')
      .execute();
    assert.equal(entries[0]?.kind, 'imported');
    assert.equal(entries[0]?.subject_id, SHOP);
    assert.match(entries[0]?.after_value ?? '', new RegExp(`legacy sign-in at 127.0.0.1:${legacy.port}`));

    legacy.mode = 'no';
    const again = await signIn(m, email, PASSWORD);
    assert.equal(again.res.statusCode, 303, 'signed in with the Mamori hash');
    const wrong = await postSignIn(new TestClient(m.app), email, 'not her password at all');
    assert.equal(wrong.statusCode, 401);
    assert.equal(legacy.calls.length, 1, 'the old system was not asked again');
  });

  test('"no", no answer in time, garbage, a 500, a profile for another address or a bad signature: the unknown address’s answer, no account', async () => {
    const modes: Mode[] = ['no', 'never', 'garbage', '500', 'other-address'];
    const pages: string[] = [];
    for (const [i, mode] of modes.entries()) {
      legacy.mode = mode;
      const email = `newcomer${i}@example.com`;
      const client = new TestClient(m.app);
      client.remoteAddress = `198.51.100.${i + 1}`;
      const res = await postSignIn(client, email, PASSWORD);
      assert.equal(res.statusCode, 401, `${mode}: ${res.statusCode}`);
      pages.push(samePage(res.body, email));
    }
    assert.equal(new Set(pages).size, 1, 'the same page whatever the old system did');
    assert.equal(legacy.calls.length, modes.length, 'asked once each');
    assert.equal(await accounts(), 0, 'no account made');
  });

  test('a request signed with another secret is refused by the old system: no account', async () => {
    await m.close();
    m = await startMamori(store, {
      MAMORI_LEGACY_SIGN_IN_URL: legacy.url,
      MAMORI_LEGACY_SIGN_IN_SECRET: 'an-intruder-guessing-the-secret-here',
      MAMORI_LEGACY_SIGN_IN_CLIENT: SHOP,
    });
    const res = await postSignIn(new TestClient(m.app), 'hana@example.com', PASSWORD);
    assert.equal(res.statusCode, 401);
    assert.equal(legacy.calls[0]?.signed, false);
    assert.equal(await accounts(), 0);
  });

  test('the intruder guessing passwords for unknown addresses through the old system meets the throttles; the old system stops being asked', async () => {
    legacy.mode = 'yes';
    const intruder = new TestClient(m.app);
    intruder.remoteAddress = '203.0.113.9';
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1)
      statuses.push((await postSignIn(intruder, 'target@example.com', `guess ${i} long`)).statusCode);
    const asked = legacy.calls.length;
    assert.ok(statuses.includes(429), `one address: held back (${statuses.join(' ')})`);
    assert.equal(asked, statuses.filter((s) => s === 401).length, 'only attempts that passed the throttle were sent');
    const held = await postSignIn(intruder, 'target@example.com', PASSWORD);
    assert.equal(held.statusCode, 429, 'even the right password waits');
    assert.equal(legacy.calls.length, asked, 'and the old system is not asked');

    const stuffer = new TestClient(m.app);
    stuffer.remoteAddress = '203.0.113.10';
    const spread: number[] = [];
    for (let i = 0; i < 12; i += 1)
      spread.push((await postSignIn(stuffer, `list${i}@example.com`, 'a stuffed password')).statusCode);
    assert.equal(spread.at(-1), 429, `many addresses from one network address: held back (${spread.join(' ')})`);
    assert.equal(await accounts(), 0);
  });
});
