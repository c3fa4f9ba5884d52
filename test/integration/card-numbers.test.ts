import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { LANGUAGE_COOKIE } from '../../src/http/language-switch.ts';
import { keptCardNumbers, PAN_VARIANTS } from '../support/card-numbers.ts';
import { PASSWORD, registerAndVerify, signIn, staffSignedIn } from '../support/flows.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';
import { attackerTakesOver, emailChangedReportLink, reportWithDefaults, STORY_ENV } from '../support/story.ts';

const ADDRESS = {
  recipient: 'Hana Sato',
  postalCode: '150-0001',
  region: 'Tokyo',
  city: 'Shibuya',
  line1: '1-2-3 Jingumae',
  line2: '',
  country: 'jp',
};
const CARD = { processorToken: 'tok_1NXWPn2eZvKYlo2C', brand: 'visa', last4: '4242', expMonth: '12', expYear: '2030' };

/** The raw digits of every variant: not one may come back in a page either. */
const echoes = (body: string) => PAN_VARIANTS.filter((pan) => body.includes(pan));

/**
 * Issue 24 §3 from the side of the people who type into Mamori's forms: a customer who pastes a card
 * number into a name or an address, a panicking customer who writes it to support, an agent who notes
 * it from a call. Form fields refuse it by name; a customer's words to support keep everything but the
 * number; after all of it no table and no mail holds one.
 */
forEachStore('card numbers in forms and support messages', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store, STORY_ENV);
  });
  afterEach(async () => {
    await m.close();
  });

  test("a card number in any of a customer's form fields is refused by that field's name; 0 stored, 0 mailed", async () => {
    const stranger = new TestClient(m.app);
    await stranger.get('/register');
    const registration = await stranger.post('/register', {
      name: `Hana ${PAN_VARIANTS[0]}`,
      email: 'new@example.com',
      password: PASSWORD,
    });
    assert.equal(registration.statusCode, 400);
    assert.match(registration.body, /id="f-name-error">This looks like a card number/);
    assert.deepEqual(echoes(registration.body), [], 'the form shown again does not repeat the number');

    await registerAndVerify(m, 'hana@example.com');
    const { client } = await signIn(m, 'hana@example.com');
    await client.get('/account');
    const attempts: [string, Record<string, string>, string][] = [
      ['/account/name', { name: PAN_VARIANTS[1] }, 'name'],
      ['/account/addresses', { ...ADDRESS, line2: `Room 5, ${PAN_VARIANTS[2]}` }, 'line2'],
      ['/account/addresses', { ...ADDRESS, recipient: PAN_VARIANTS[4] }, 'recipient'],
      ['/account/payment-methods', { ...CARD, processorToken: PAN_VARIANTS[5] }, 'processorToken'],
    ];
    for (const [path, form, field] of attempts) {
      const res = await client.post(path, form);
      assert.equal(res.statusCode, 400, `${path} ${field}`);
      assert.match(res.body, /never store card numbers/);
      assert.match(res.body, new RegExp(`id="f-(\\w+-)?${field}-error">This looks like a card number`), field);
      assert.deepEqual(echoes(res.body), [], field);
    }
    client.cookies.set(LANGUAGE_COOKIE, 'ja');
    const japanese = await client.post('/account/name', { name: PAN_VARIANTS[4] });
    assert.match(japanese.body, /カード番号のように見えます/);
    // A password is only ever hashed, never kept: one that happens to hold such digits is taken.
    const digitsInPassword = `violet kettle ${PAN_VARIANTS[1]}`;
    await registerAndVerify(m, 'ken@example.com', digitsInPassword);
    assert.ok((await signIn(m, 'ken@example.com', digitsInPassword)).client);

    await m.deliver();
    assert.deepEqual(await keptCardNumbers(m), []);
    assert.equal((await m.deps.db.selectFrom('addresses').select('id').execute()).length, 0);
    assert.equal((await m.deps.db.selectFrom('payment_methods').select('id').execute()).length, 0);
  });

  test("a customer's words to support keep everything but the card's digits; an agent cannot write one down", async () => {
    await attackerTakesOver(m);
    const statusPath = await reportWithDefaults(m, emailChangedReportLink(m));
    const owner = new TestClient(m.app);
    await owner.get(statusPath);
    const token = new URL(statusPath, 'http://x').searchParams.get('token') ?? '';
    const message = await owner.post('/incident/message', {
      token,
      message: `They used my card ${PAN_VARIANTS[1]}! Please stop it.`,
    });
    assert.equal(message.statusCode, 303, 'a panicking customer is still heard');
    const callback = await owner.post('/incident/callback', {
      token,
      phone: '+81 90-1234-5678',
      preferredTime: `after 18:00 (card ${PAN_VARIANTS[2]})`,
      message: `カード番号は${PAN_VARIANTS[4]}です`,
    });
    assert.equal(callback.statusCode, 303);
    const requests = JSON.stringify(await m.deps.db.selectFrom('support_requests').selectAll().execute());
    assert.match(requests, /They used my card •••• •••• •••• 1111 exp 12\/29 cvv 123! Please stop it\./);
    assert.match(requests, /after 18:00 \(card ••••-••••-••••-4444\)/);
    assert.match(requests, /カード番号は•••• •••••• •０００５です/);
    assert.match(requests, /\+81 90-1234-5678/, 'a phone number is not mistaken for a card');

    const incident = await m.deps.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    const staff = await staffSignedIn(m, 'agent');
    const base = `/staff/accounts/${incident.account_id}`;
    const caseView = await staff.get(base);
    assert.match(caseView.body, /•••• •••• •••• 1111/);
    const reply = await staff.post(`${base}/reply`, {
      incidentId: incident.id,
      body: `We blocked card ${PAN_VARIANTS[3]}.`,
    });
    assert.equal(reply.statusCode, 400);
    assert.match(reply.body, /never store card numbers/);
    assert.deepEqual(echoes(reply.body), []);
    const call = await staff.post(`${base}/call`, {
      incidentId: incident.id,
      outcome: 'reached',
      duration: '5',
      notes: `Customer read out ${PAN_VARIANTS[0]}`,
    });
    assert.equal(call.statusCode, 400);

    await m.deliver();
    assert.deepEqual(await keptCardNumbers(m), []);
  });
});
