import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { importAccounts } from '../../src/services/import/import-accounts.ts';
import { findAccountByEmail } from '../../src/store/accounts.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';
import { postSignIn, registerAndVerify, signIn } from '../support/flows.ts';

const MEI = 'mei@example.com';
const SORA = 'sora@example.com';
const NEW_PASSWORD = 'lantern orchard pebble violin';
const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';
/** A page as any address gets it: the address typed and the form token are the only differences allowed. */
const sameShape = (body: string, email: string) =>
  body.replaceAll(email, '<email>').replace(/name="_csrf" value="[^"]+"/g, '');

/** Issue 26: customers a shop exported without passwords (Shopify) get a one-time link, never a mass mail. */
forEachStore('Imported without a password: the first-password link', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store);
    const rows = [MEI, SORA].map((email, i) => ({
      shopCustomerId: `shopify-${i + 1}`,
      email,
      name: i === 0 ? 'Mei Ito' : 'Sora Abe',
      emailVerified: true,
    }));
    const report = await importAccounts(
      m.deps,
      rows.map((value, i) => ({ line: i + 1, value })),
      { clientId: 'maple-shopify', dryRun: false },
    );
    assert.equal(report.imported, 2, JSON.stringify(report.refused));
  });
  afterEach(async () => {
    await m.close();
  });

  async function askForLink(client: TestClient, email: string) {
    await client.get('/first-password');
    return client.post('/first-password', { email });
  }

  test('the sign-in page offers the link; an unknown address, a native one and a passwordless imported one get the same answers, and only she gets mail', async () => {
    await registerAndVerify(m, 'native@example.com');
    const client = new TestClient(m.app);
    const failed = await Promise.all(
      [MEI, 'nobody@example.com'].map(async (email) => ({
        email,
        res: await postSignIn(client, email, 'any old guess'),
      })),
    );
    for (const { res } of failed) {
      assert.equal(res.statusCode, 401);
      assert.match(res.body, /action="\/first-password"/, 'the failed sign-in offers the link for that address');
    }
    assert.equal(sameShape(failed[0]!.res.body, MEI), sameShape(failed[1]!.res.body, 'nobody@example.com'));

    const sentBefore = m.mailer.sent.length;
    const answers = [];
    for (const email of [MEI, 'nobody@example.com', 'native@example.com']) {
      const res = await askForLink(client, email);
      assert.equal(res.statusCode, 200);
      answers.push(sameShape(res.body, email));
    }
    assert.equal(new Set(answers).size, 1, 'one answer for every address');
    await m.deliver();
    const mailed = m.mailer.sent.slice(sentBefore);
    assert.deepEqual(
      mailed.map((mail) => mail.to),
      [MEI],
      'only the passwordless imported address gets mail',
    );
    assert.match(m.mailer.link(MEI, '/first-password/set'), /token=/);
  });

  test('the link sets her first password once: hashed at rest, refused passwords keep it, a used link fails, the new password signs in', async () => {
    await askForLink(new TestClient(m.app), MEI);
    await m.deliver();
    const link = m.mailer.link(MEI, '/first-password/set');
    const token = tokenOf(link);
    const stored = await m.deps.db.selectFrom('one_time_tokens').select(['token_hash', 'purpose']).execute();
    assert.ok(stored.some((row) => row.purpose === 'first-password'));
    assert.ok(
      stored.every((row) => row.token_hash !== token),
      'only the hash is stored',
    );

    const browser = new TestClient(m.app);
    const page = await browser.get(new URL(link).pathname + new URL(link).search);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Use a passkey instead/);
    assert.equal((await browser.post('/first-password/set', { token, password: 'short' })).statusCode, 400);
    const set = await browser.post('/first-password/set', { token, password: NEW_PASSWORD });
    assert.equal(set.statusCode, 303);
    assert.equal(set.headers.location, '/sign-in?notice=first-password');

    const again = await browser.post('/first-password/set', { token, password: 'another fine long passphrase' });
    assert.equal(again.statusCode, 400, 'a used link fails');
    assert.equal((await browser.get(new URL(link).pathname + new URL(link).search)).statusCode, 400);
    assert.equal((await signIn(m, MEI, NEW_PASSWORD)).res.statusCode, 303);
    const imported = await m.deps.db
      .selectFrom('imported_passwords')
      .select('account_id')
      .where('account_id', '=', (await findAccountByEmail(m.deps.db, MEI))!.id)
      .executeTakeFirst();
    assert.equal(imported, undefined, 'the empty imported entry is done with');
    assert.equal((await askForLink(new TestClient(m.app), MEI)).statusCode, 200);
    const before = m.mailer.to(MEI).length;
    await m.deliver();
    assert.equal(
      m.mailer.to(MEI).filter((mail) => mail.text.includes('/first-password/set')).length,
      m.mailer
        .to(MEI)
        .slice(0, before)
        .filter((mail) => mail.text.includes('/first-password/set')).length,
      'no more first-password links once she has one',
    );
  });

  test('the intruder: Mei’s link cannot set Sora’s password, a reset link is no first-password link, an old link expires', async () => {
    await askForLink(new TestClient(m.app), MEI);
    await m.deliver();
    const meiToken = tokenOf(m.mailer.link(MEI, '/first-password/set'));
    const intruder = new TestClient(m.app);
    await intruder.get('/first-password');
    const tampered = await intruder.post('/first-password/set', {
      token: meiToken,
      password: NEW_PASSWORD,
      email: SORA,
      accountId: (await findAccountByEmail(m.deps.db, SORA))!.id,
    });
    assert.equal(tampered.statusCode, 303);
    assert.equal((await findAccountByEmail(m.deps.db, SORA))?.password_hash, null, 'Sora’s account is untouched');
    assert.equal((await postSignIn(new TestClient(m.app), SORA, NEW_PASSWORD)).statusCode, 401);

    await registerAndVerify(m, 'native@example.com');
    const client = new TestClient(m.app);
    await client.get('/forgot-password');
    await client.post('/forgot-password', { email: 'native@example.com' });
    await m.deliver();
    const resetToken = tokenOf(m.mailer.link('native@example.com', '/reset-password'));
    await intruder.get('/first-password');
    assert.equal(
      (await intruder.post('/first-password/set', { token: resetToken, password: NEW_PASSWORD })).statusCode,
      400,
      'purpose-bound',
    );

    await askForLink(new TestClient(m.app), SORA);
    await m.deliver();
    const soraLink = m.mailer.link(SORA, '/first-password/set');
    m.clock.advance(61 * 60_000);
    assert.equal((await intruder.get(new URL(soraLink).pathname + new URL(soraLink).search)).statusCode, 400);
    assert.equal(
      (await intruder.post('/first-password/set', { token: tokenOf(soraLink), password: NEW_PASSWORD })).statusCode,
      400,
      'expired',
    );
  });

  test('“Forgot your password?” gives her the same first-password link; “a passkey instead” signs this browser in and opens the passkey page', async () => {
    const client = new TestClient(m.app);
    await client.get('/forgot-password');
    await client.post('/forgot-password', { email: SORA });
    await m.deliver();
    const token = tokenOf(m.mailer.link(SORA, '/first-password/set'));
    const browser = new TestClient(m.app);
    await browser.get(`/first-password/set?token=${token}`);
    const passkey = await browser.post('/first-password/passkey', { token });
    assert.equal(passkey.statusCode, 303);
    assert.equal(passkey.headers.location, '/account/passkeys');
    assert.equal((await browser.get('/account/passkeys')).statusCode, 200);
    assert.equal((await browser.post('/first-password/passkey', { token })).statusCode, 400, 'single-use');
  });

  test('Japanese: the offer, the answer and the mail speak plain Japanese', async () => {
    const client = new TestClient(m.app);
    client.headers['accept-language'] = 'ja';
    const failed = await postSignIn(client, MEI, 'any old guess');
    assert.match(failed.body, /パスワード設定用のリンクを受け取る/);
    const answer = await askForLink(client, MEI);
    assert.match(answer.body, /設定用のリンクをお送りしました/);
  });
});
