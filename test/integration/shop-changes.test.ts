import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { ATTACKER, ATTACKER_BROWSER, OWNER_PASSWORD, ownerSignsUp, signInWith } from '../../src/cli/demo/story.ts';
import { eventTypeUri } from '../../src/core/ssf/security-events.ts';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';
import { registerShop, shopSignsIn, startIssuer, type TestShop } from '../support/oidc.ts';
import { callApi, setReceiver, shopApiToken } from '../support/ssf.ts';
import { signIn, staffSignedIn } from '../support/flows.ts';
import { attackerTakesOver as takeOver, checkedUndo, OWNER, ownerRecovers, STORY_ENV } from '../support/story.ts';

const SCOPES = 'ssf.manage ssf.read shop-changes:write undo-requests:answer account:read';
const DAY = 24 * 3_600_000;
const OWNER_BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15';

const order = (orderId: string, line1: string, sid?: string, userAgent = ATTACKER_BROWSER) => ({
  type: 'order-placed',
  orderId,
  amount: { value: '50000', currency: 'JPY' },
  shipTo: { recipient: 'T. Yamada', line1, city: 'Chiyoda', postalCode: '100-0001', country: 'JP' },
  paymentMethod: { reference: 'card_saved_1', display: 'VISA •••• 4242' },
  customer: { ip: '203.0.113.9', userAgent, ...(sid ? { sid } : {}) },
});

/**
 * Issue 15: the shop's own changes join the account log, get notices by the rules, fall into the undo
 * plan, and containment asks the shop (and only that shop) to hold what the intruder ordered; the
 * shop's answer reaches the owner, the support desk and its queue.
 */
forEachStore('Shop changes and undo requests', (store) => {
  let m: TestMamori & { issuer: string };
  let shop: TestShop;
  let otherShop: TestShop;
  let token: string;
  let otherToken: string;

  beforeEach(async () => {
    m = await startIssuer(store, STORY_ENV);
    // A shop that takes back-channel logout gets `sid` in its ID tokens, and names the sign-in with it.
    shop = await registerShop(m, { backchannelLogoutUri: 'http://127.0.0.1:9/backchannel-logout' });
    otherShop = await registerShop(m, { name: 'Cedar Books' });
    token = await shopApiToken(m.issuer, shop, SCOPES);
    otherToken = await shopApiToken(m.issuer, otherShop, SCOPES);
  });
  afterEach(() => m.close());

  const ownerId = async () =>
    (await m.deps.db.selectFrom('accounts').select('id').where('email', '=', OWNER).executeTakeFirstOrThrow()).id;
  const report = (sub: string, body: unknown, bearer: string | null = token) =>
    callApi(m.issuer, bearer, 'POST', `/api/v1/accounts/${sub}/shop-changes`, body);
  const logKinds = async (kind: string) =>
    (await m.deps.db.selectFrom('account_log').select('id').where('kind', '=', kind).execute()).length;

  /** The owner, signed in to the shop from their laptop; three days later the attacker, from a new browser. */
  async function ownerAndAttackerAtTheShop() {
    const owner = await ownerSignsUp(m);
    const ownerSid = String((await shopSignsIn(m, shop, owner)).claims()?.sid);
    m.clock.advance(3 * DAY);
    const attacker = new TestClient(m.app, { 'user-agent': ATTACKER_BROWSER });
    assert.equal(await signInWith(attacker, OWNER, OWNER_PASSWORD), 303);
    const attackerSid = String((await shopSignsIn(m, shop, attacker)).claims()?.sid);
    assert.notEqual(ownerSid, attackerSid);
    return { owner, ownerSid, attackerSid, sub: await ownerId() };
  }

  test('the intruder’s order to a new address is announced; one click contains and asks this shop alone to hold it; the answer reaches the owner, staff and the queue', async () => {
    const receiver = await setReceiver();
    const otherReceiver = await setReceiver();
    try {
      for (const [bearer, url] of [
        [token, receiver.url],
        [otherToken, otherReceiver.url],
      ] as const)
        assert.equal(
          (
            await callApi(m.issuer, bearer, 'POST', '/api/v1/ssf/stream', {
              delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: url },
            })
          ).status,
          201,
        );
      const { ownerSid, attackerSid, sub } = await ownerAndAttackerAtTheShop();
      await m.deliver();
      const noticesBefore = m.mailer.to(OWNER).length;

      // The owner's own order home, from the browser the account was opened with: logged, not announced.
      const home = await report(sub, order('1041', '1-2-3 Marunouchi', ownerSid, OWNER_BROWSER));
      assert.equal(home.status, 201, JSON.stringify(home.body));
      assert.deepEqual((home.body as { announced: boolean }).announced, false);
      // The attacker's, to a place the account never used, from the new browser: announced.
      const stolen = await report(sub, order('1042', 'Drop box, 9-9-9 Chiyoda', attackerSid));
      assert.equal(stolen.status, 201, JSON.stringify(stolen.body));
      assert.equal((stolen.body as { announced: boolean }).announced, true);
      // The shop retries the same report: the first entry, nothing new, no second notice.
      const retried = await report(sub, order('1042', 'Drop box, 9-9-9 Chiyoda', attackerSid));
      assert.equal(retried.status, 200);
      assert.deepEqual(retried.body, { ...(stolen.body as object), repeated: true, announced: false });
      // Another order home written with full-width digits and spaces is the same place: not announced.
      const sameHome = await report(sub, order('1043', '１－２－３　Marunouchi', attackerSid));
      assert.equal((sameHome.body as { announced: boolean }).announced, false);
      // A gift card spent with no sign-in named: a new browser as far as Mamori can tell, so announced.
      const giftCard = await report(sub, {
        type: 'gift-card-redeemed',
        giftCardId: 'GC-77',
        amount: { value: '10000', currency: 'JPY' },
        customer: { ip: '198.51.100.7', userAgent: 'curl/8' },
      });
      assert.equal((giftCard.body as { announced: boolean }).announced, true);
      assert.equal(await logKinds('shop-order-placed'), 3);

      await m.deliver();
      const notices = m.mailer.to(OWNER).slice(noticesBefore);
      // Reported in the same moment, the two notices share one mail (issue 24 §4), each with its own link.
      assert.deepEqual(
        notices.map((mail) => mail.subject),
        ['2 changes were reported on your Maple Market account at checkout'],
      );
      const items = (notices[0]?.text ?? '').split('\n\n');
      const orderNotice = items.find((item) => item.includes('An order to a new address was placed'));
      assert.ok(
        items.some((item) => item.includes('A gift card was used')),
        notices[0]?.text,
      );
      assert.ok(orderNotice?.includes('#1042 · ¥50,000 → T. Yamada, Drop box, 9-9-9 Chiyoda'), notices[0]?.text);
      const link = orderNotice?.match(/This wasn't me: (\S+)/)?.[1] ?? '';

      // The report page: the intruder's orders ticked, to be asked of the shop; the gift card with no
      // sign-in named listed but left for the owner to tick; the owner's own order not listed at all.
      const reporter = new TestClient(m.app);
      const page = await reporter.get(pathOf(link));
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /The shop will be asked to hold this order/);
      assert.match(page.body, /The shop did not say which sign-in did this/);
      assert.doesNotMatch(page.body, /#1041/);
      const ticked = checkedUndo(page.body);
      const entries = await m.deps.db
        .selectFrom('account_log')
        .select(['id', 'subject_id'])
        .where('kind', 'in', ['shop-order-placed', 'shop-gift-card-redeemed'])
        .execute();
      const idOf = (item: string) => entries.find((e) => e.subject_id === `${shop.clientId}:${item}`)?.id;
      assert.ok(ticked.includes(idOf('1042') ?? '-') && ticked.includes(idOf('1043') ?? '-'));
      assert.ok(!ticked.includes(idOf('GC-77') ?? '-'), 'unknown origin: never ticked for the reporter');
      const contained = await reporter.post('/report', { token: tokenOf(link), undo: ticked });
      assert.equal(contained.statusCode, 303);
      const statusPath = String(contained.headers.location);
      await m.deliver();

      // The shop hears, signed, under the incident's txn: its account is disabled, and each order is asked back.
      const jwks = createRemoteJWKSet(new URL(`${m.issuer}/oidc/jwks`));
      const undoType = eventTypeUri('undo-requested', m.issuer);
      const events = await Promise.all(
        receiver.accepted.map(async (set) => {
          const { payload } = await jwtVerify(set, jwks, {
            issuer: m.issuer,
            audience: shop.clientId,
            typ: 'secevent+jwt',
            currentDate: m.clock.now(),
          });
          return payload as { txn?: string; events: Record<string, Record<string, unknown>> };
        }),
      );
      const asks = events.filter((e) => undoType in e.events);
      assert.deepEqual(asks.map((e) => (e.events[undoType]?.item as { id: string }).id).sort(), ['1042', '1043']);
      const incidentId = (await m.deps.db.selectFrom('incidents').select('id').executeTakeFirstOrThrow()).id;
      assert.ok(asks.every((e) => e.txn === incidentId));
      const ask = asks.find((e) => (e.events[undoType]?.item as { id: string }).id === '1042')?.events[undoType];
      assert.equal(ask?.action, 'hold-order');
      assert.equal(ask?.answer_endpoint, `${m.issuer}/api/v1/undo-requests/${String(ask?.request_id)}`);
      // The other shop hears the account was disabled, and nothing of this shop's orders.
      const otherTypes = otherReceiver.accepted.flatMap((set) => Object.keys(decodeJwt(set).events as object));
      assert.ok(otherTypes.includes('https://schemas.openid.net/secevent/risc/event-type/account-disabled'));
      assert.ok(!otherTypes.includes(undoType));

      // The shop reads what waits on it; the other shop sees none of it and cannot answer it.
      const waiting = await callApi(m.issuer, token, 'GET', '/api/v1/undo-requests');
      assert.equal(waiting.status, 200);
      assert.equal((waiting.body as { requests: unknown[] }).requests.length, 2);
      const requestPath = `/api/v1/undo-requests/${String(ask?.request_id)}`;
      assert.deepEqual((await callApi(m.issuer, otherToken, 'GET', '/api/v1/undo-requests')).body, { requests: [] });
      assert.equal((await callApi(m.issuer, otherToken, 'GET', requestPath)).status, 404);
      assert.equal((await callApi(m.issuer, otherToken, 'PUT', requestPath, { answer: 'refused' })).status, 404);
      const readOnly = await shopApiToken(m.issuer, shop, 'account:read');
      assert.equal((await callApi(m.issuer, readOnly, 'PUT', requestPath, { answer: 'held' })).status, 403);
      assert.equal((await callApi(m.issuer, null, 'PUT', requestPath, { answer: 'held' })).status, 401);

      // Before any answer: the owner sees the order waiting on the shop; so does the support queue, with its age.
      m.clock.advance(2 * 3_600_000);
      const waitingPage = await reporter.get(statusPath);
      assert.match(waitingPage.body, /Order #1042: <span[^>]*>Waiting on the shop since/);
      const admin = await staffSignedIn(m, 'admin');
      const queue = await admin.get('/staff');
      assert.match(queue.body, /Waiting on the shop: 2 item\(s\) unanswered for 2 hours/);

      // The shop answers: held. The same answer again writes nothing; a later change is logged again.
      const held = await callApi(m.issuer, token, 'PUT', requestPath, {
        answer: 'held',
        note: 'Stopped at the warehouse',
      });
      assert.equal(held.status, 200, JSON.stringify(held.body));
      assert.equal((held.body as { answer: string }).answer, 'held');
      assert.equal(
        (await callApi(m.issuer, token, 'PUT', requestPath, { answer: 'held', note: 'Stopped at the warehouse' }))
          .status,
        200,
      );
      assert.equal(await logKinds('shop-undo-answered'), 1);

      const answeredPage = await reporter.get(statusPath);
      assert.match(
        answeredPage.body,
        /Order #1042: <span[^>]*>Held by the shop \([^)]*\): <q>Stopped at the warehouse<\/q>/,
      );
      assert.match(answeredPage.body, /The shop answered a request/);
      const caseView = await admin.get(`/staff/accounts/${sub}`);
      assert.match(caseView.body, /Order #1042: <span[^>]*>Held by the shop/);
      assert.match(caseView.body, /Order #1043: <span[^>]*>Waiting on the shop since/);
      assert.match((await admin.get('/staff')).body, /Waiting on the shop: 1 item\(s\) unanswered/);

      const cancelled = await callApi(m.issuer, token, 'PUT', requestPath, { answer: 'cancelled' });
      assert.equal((cancelled.body as { answer: string }).answer, 'cancelled');
      assert.equal(await logKinds('shop-undo-answered'), 2);
      const stillWaiting = await callApi(m.issuer, token, 'GET', '/api/v1/undo-requests?status=waiting');
      assert.equal((stillWaiting.body as { requests: unknown[] }).requests.length, 1);
      const all = await callApi(m.issuer, token, 'GET', '/api/v1/undo-requests?status=all&limit=10');
      assert.equal((all.body as { requests: unknown[] }).requests.length, 2);

      // After recovery the checklist says what the shop did with each order.
      m.clock.advance(5 * 3_600_000);
      await reporter.get(statusPath);
      await m.deliver();
      const recovered = await ownerRecovers(m);
      assert.equal((await signIn(m, OWNER, 'fresh start lantern meadow', recovered)).res.statusCode, 303);
      const account = await recovered.get('/account');
      assert.equal(account.statusCode, 200);
      assert.match(account.body, /Order #1042<\/h3>[\s\S]*?<span[^>]*>Cancelled by the shop/);
      assert.match(account.body, /Order #1043<\/h3>[\s\S]*?<span[^>]*>Waiting on the shop since/);
    } finally {
      await receiver.close();
      await otherReceiver.close();
    }
  });

  test('the intruder reports his own order from his own mailbox: contained, the order asked back anyway, no wait, and the owner’s copy still leads her in', async () => {
    const receiver = await setReceiver();
    try {
      const stream = await callApi(m.issuer, token, 'POST', '/api/v1/ssf/stream', {
        delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url },
      });
      assert.equal(stream.status, 201);
      const { attacker } = await takeOver(m);
      const attackerSid = String((await shopSignsIn(m, shop, attacker)).claims()?.sid);
      const sub = (await m.deps.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow()).id;
      const stolen = await report(sub, order('2042', 'Drop box, 9-9-9 Chiyoda', attackerSid));
      assert.equal((stolen.body as { announced: boolean }).announced, true);
      await m.deliver();

      // The notice goes to the address on the account (now the intruder's) and to the one he replaced.
      const orderNotice = (to: string) =>
        m.mailer.to(to).find((mail) => /An order to a new address/.test(mail.subject));
      const theirLink = orderNotice(ATTACKER)?.text.match(/This wasn't me: (\S+)/)?.[1] ?? '';
      const ownerLink = orderNotice(OWNER)?.text.match(/This wasn't me: (\S+)/)?.[1] ?? '';
      assert.ok(theirLink && ownerLink && theirLink !== ownerLink, 'each address has a link of its own');

      // He reports it himself, from his own browser, unticking everything to keep the order.
      assert.equal((await attacker.get(pathOf(theirLink))).statusCode, 200);
      const reported = await attacker.post('/report', { token: tokenOf(theirLink), undo: [] });
      assert.equal(reported.statusCode, 303);
      const incident = await m.deps.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
      assert.equal(incident.state, 'disputed', 'a newcomer report goes to a person');
      assert.equal(incident.wait_until, null, 'no clock opens recovery for him');
      assert.equal(JSON.parse(incident.reported_by ?? '{}').standing, 'newcomer');
      const account = await m.deps.db.selectFrom('accounts').selectAll().executeTakeFirstOrThrow();
      assert.equal(account.status, 'locked');
      assert.equal(account.email, OWNER, 'the address is restored whatever he unticked');

      // Unticking kept nothing: the shop is asked to hold his order all the same, under the incident.
      const asked = await m.deps.db.selectFrom('shop_undo_requests').selectAll().execute();
      assert.deepEqual(
        asked.map((row) => [row.item_id, row.incident_id]),
        [['2042', incident.id]],
      );
      await m.deliver();
      const undoType = eventTypeUri('undo-requested', m.issuer);
      const asks = receiver.accepted
        .map((set) => decodeJwt(set) as { events: Record<string, { item?: { id: string } }> })
        .filter((set) => undoType in set.events);
      assert.deepEqual(
        asks.map((set) => set.events[undoType]?.item?.id),
        ['2042'],
      );
      assert.equal((await attacker.get('/account')).statusCode, 303, 'his Mamori session is over');

      // The owner's own copy of the notice leads her to the incident, where she is told what was undone.
      const owner = new TestClient(m.app);
      const spent = await owner.get(pathOf(ownerLink));
      assert.match(spent.body, /already protected/);
      const entered = await owner.post('/report/incident', { token: tokenOf(ownerLink) });
      assert.equal(entered.statusCode, 303);
      const ownerPage = await owner.get(String(entered.headers.location));
      assert.match(ownerPage.body, /Order #2042/);
      assert.match(ownerPage.body, /Is this your account\?/);
    } finally {
      await receiver.close();
    }
  });

  test('a shop reports only on its own customers, with its own token and the scope; bad reports are refused and change nothing', async () => {
    const { sub } = await ownerAndAttackerAtTheShop();
    const thirdParty = await registerShop(m, { name: 'Stranger Goods', firstParty: false });
    const strangerToken = await shopApiToken(m.issuer, thirdParty, SCOPES);
    const before = await logKinds('shop-order-placed');

    // A shop the customer never signed in to cannot tell it apart from an account that does not exist.
    assert.equal((await report(sub, order('9', 'Somewhere 1'), strangerToken)).status, 404);
    assert.equal((await report('no-such-account', order('9', 'Somewhere 1'))).status, 404);
    assert.equal((await report(sub, order('9', 'Somewhere 1'), null)).status, 401);
    const readOnly = await shopApiToken(m.issuer, shop, 'account:read');
    assert.equal((await report(sub, order('9', 'Somewhere 1'), readOnly)).status, 403);

    const bad: [string, unknown][] = [
      ['no body', undefined],
      ['unknown type', { ...order('9', 'x'), type: 'order-shipped' }],
      ['not an IP', { ...order('9', 'x'), customer: { ip: 'localhost', userAgent: 'x' } }],
      ['a NUL in the id', order('9\u0000', 'x')],
      ['an amount in words', { ...order('9', 'x'), amount: { value: 'fifty', currency: 'JPY' } }],
      ['a lowercase currency', { ...order('9', 'x'), amount: { value: '5', currency: 'jpy' } }],
      ['an unknown field', { ...order('9', 'x'), discount: 10 }],
      ['a 10 kB address', order('9', 'x'.repeat(10_000))],
      ['no country', { ...order('9', 'x'), shipTo: { line1: 'x' } }],
      [
        'negative points',
        { type: 'points-redeemed', redemptionId: 'r', points: -5, customer: { ip: '::1', userAgent: 'x' } },
      ],
    ];
    for (const [what, body] of bad) {
      const res = await report(sub, body);
      assert.equal(res.status, 400, what);
      assert.equal(res.type.split(';')[0], 'application/problem+json', what);
      assert.ok(String((res.body as { detail?: string }).detail ?? '').length > 0, `${what}: says why`);
    }
    assert.equal(await logKinds('shop-order-placed'), before, 'nothing written');

    const answer = await callApi(m.issuer, token, 'PUT', '/api/v1/undo-requests/nope', { answer: 'maybe' });
    assert.equal(answer.status, 400);
    assert.equal((await callApi(m.issuer, token, 'PUT', '/api/v1/undo-requests/nope', { answer: 'held' })).status, 404);
    assert.equal((await callApi(m.issuer, token, 'GET', '/api/v1/undo-requests?limit=0')).status, 400);
  });
});
