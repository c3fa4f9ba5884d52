import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { decodeJwt } from 'jose';
import { ATTACKER_BROWSER, OWNER_PASSWORD, ownerSignsUp, signInWith } from '../../src/cli/demo/story.ts';
import { eventTypeUri } from '../../src/core/ssf/security-events.ts';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';
import { registerShop, shopSignsIn, startIssuer, type TestShop } from '../support/oidc.ts';
import { callApi, setReceiver, shopApiToken } from '../support/ssf.ts';
import { registerAndVerify, signIn, staffSignedIn } from '../support/flows.ts';
import { attackerTakesOver as takeOver, checkedUndo, OWNER, ownerRecovers, STORY_ENV } from '../support/story.ts';

const SCOPES = 'ssf.manage ssf.read shop-changes:write undo-requests:answer account:read';
const DAY = 24 * 3_600_000;
const NEW_PASSWORD = 'fresh start lantern meadow';

const order = (orderId: string, line1: string, sid: string, item: string) => ({
  type: 'order-placed',
  orderId,
  amount: { value: '50000', currency: 'JPY' },
  shipTo: { recipient: 'T. Yamada', line1, city: 'Chiyoda', postalCode: '100-0001', country: 'JP' },
  paymentMethod: { reference: 'card_saved_1', display: 'VISA •••• 4242' },
  items: [{ name: item, quantity: 1 }],
  customer: { ip: '203.0.113.9', userAgent: ATTACKER_BROWSER, sid },
});

interface UndoEvent {
  request_id: string;
  action: string;
  item: { type: string; id: string };
  follows?: string;
}

/**
 * Issue 25: an order the shop held is the owner's to decide. "This was mine: release it" or "Cancel it"
 * goes to the shop as a follow-up undo request (same event, same answer API), the shop answers, and she
 * sees the answer; support can decide the same on the case. Nobody else can, and nothing decides twice.
 */
forEachStore('Held orders', (store) => {
  let m: TestMamori & { issuer: string };
  let shop: TestShop;
  let token: string;

  beforeEach(async () => {
    m = await startIssuer(store, STORY_ENV);
    shop = await registerShop(m, { backchannelLogoutUri: 'http://127.0.0.1:9/backchannel-logout' });
    token = await shopApiToken(m.issuer, shop, SCOPES);
  });
  afterEach(() => m.close());

  const report = (sub: string, body: unknown) =>
    callApi(m.issuer, token, 'POST', `/api/v1/accounts/${sub}/shop-changes`, body);
  const rows = () => m.deps.db.selectFrom('shop_undo_requests').selectAll().orderBy('requested_at').execute();
  const holdOf = async (item: string) => {
    const row = (await rows()).find((r) => r.item_id === item && r.action === 'hold-order');
    assert.ok(row, `a hold for #${item}`);
    return row;
  };
  const answer = (id: string, body: unknown) => callApi(m.issuer, token, 'PUT', `/api/v1/undo-requests/${id}`, body);
  const undoEvents = (sets: string[]) => {
    const type = eventTypeUri('undo-requested', m.issuer);
    return sets
      .map((set) => (decodeJwt(set).events as Record<string, UndoEvent>)[type])
      .filter((event): event is UndoEvent => event !== undefined);
  };
  /** The order card on a page, from its heading to the end of its list item. */
  const card = (body: string, item: string) =>
    new RegExp(`<li class="held-order"[^>]*data-order="${item}"[\\s\\S]*?</li>`).exec(body)?.[0] ?? '';

  test('the owner releases one held order and cancels another; the shop hears each as a follow-up and answers; staff decide a third; nothing decides twice, after the case closed, by GET or without CSRF', async () => {
    const receiver = await setReceiver();
    try {
      const stream = await callApi(m.issuer, token, 'POST', '/api/v1/ssf/stream', {
        delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url },
      });
      assert.equal(stream.status, 201);
      await ownerSignsUp(m);
      m.clock.advance(3 * DAY);
      const attacker = new TestClient(m.app, { 'user-agent': ATTACKER_BROWSER });
      assert.equal(await signInWith(attacker, OWNER, OWNER_PASSWORD), 303);
      const sid = String((await shopSignsIn(m, shop, attacker)).claims()?.sid);
      const sub = (await m.deps.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow()).id;
      const items = {
        '1042': 'Rice cooker',
        '1043': 'Gaming laptop',
        '1044': 'Gift box',
        '1045': 'Tea set',
        '1046': 'Phone',
      };
      for (const [id, item] of Object.entries(items))
        assert.equal((await report(sub, order(id, `Drop box ${id}, 9-9-9 Chiyoda`, sid, item))).status, 201);
      await m.deliver();

      // The owner contains from the order notice; the shop is asked to hold each of the four orders.
      // Reported in one burst, the orders' notices share one mail (issue 24 §4), each item with its own link.
      const link = m.mailer.to(OWNER).find((mail) => /An order to a new address/.test(mail.text))?.text;
      const reportLink = link?.match(/This wasn't me: (\S+)/)?.[1] ?? '';
      const owner = new TestClient(m.app);
      const reportPage = await owner.get(pathOf(reportLink));
      const contained = await owner.post('/report', { token: tokenOf(reportLink), undo: checkedUndo(reportPage.body) });
      assert.equal(contained.statusCode, 303);
      const statusPath = String(contained.headers.location);
      const statusToken = tokenOf(`http://x${statusPath}`);
      await m.deliver();

      // The containment mail lists the orders it asked the shop to hold, in her money and words.
      const containedMail = m.mailer.to(OWNER).find((mail) => /We secured your/.test(mail.subject));
      assert.ok(containedMail, 'the containment mail');
      assert.match(containedMail.text, /We asked the shop to hold these orders/);
      assert.ok(
        containedMail.text.includes('Order #1042 · Rice cooker · ¥50,000 → T. Yamada, Drop box 1042, 9-9-9 Chiyoda'),
        containedMail.text,
      );
      assert.ok(containedMail.text.includes('Order #1045 · Tea set'), containedMail.text);

      // Before the shop says it holds them, there is nothing to release: no button, and a POST is refused.
      const holds = await Promise.all(Object.keys(items).map(holdOf));
      const [hold1042, hold1043, hold1044, hold1045, hold1046] = holds as [
        (typeof holds)[0],
        (typeof holds)[0],
        (typeof holds)[0],
        (typeof holds)[0],
        (typeof holds)[0],
      ];
      const waiting = await owner.get(statusPath);
      assert.doesNotMatch(waiting.body, /This was mine: release it/);
      const early = await owner.post(`/incident/orders/${hold1042.id}/release`, { token: statusToken });
      assert.equal(early.statusCode, 409);
      assert.match(early.body, /has not said it is holding this order/);

      for (const hold of holds) assert.equal((await answer(hold.id, { answer: 'held' })).status, 200);
      const page = await owner.get(statusPath);
      assert.equal(page.statusCode, 200);
      const card1042 = card(page.body, '1042');
      assert.match(card1042, /Order #1042/);
      assert.match(card1042, /Rice cooker/);
      assert.match(card1042, /¥50,000/);
      assert.match(card1042, /T\. Yamada, Drop box 1042, 9-9-9 Chiyoda, Chiyoda, 100-0001, JP/);
      assert.match(card1042, /Held by the shop/);
      assert.match(card1042, />This was mine: release it</);
      assert.match(card1042, />Cancel it</);
      // In Japanese, the money is written the Japanese way.
      const ja = await owner.get(statusPath, { 'accept-language': 'ja' });
      assert.match(card(ja.body, '1042'), /￥50,000/);

      // GET changes nothing; a form from another site (no CSRF token) changes nothing.
      const before = (await rows()).length;
      assert.equal((await owner.get(`/incident/orders/${hold1042.id}/release?token=${statusToken}`)).statusCode, 404);
      const forged = await owner.post(`/incident/orders/${hold1042.id}/release`, { token: statusToken, _csrf: '' });
      assert.equal(forged.statusCode, 403);
      assert.equal((await rows()).length, before);

      // She releases #1042 and cancels #1043; a second click on either is refused and sends nothing.
      const released = await owner.post(`/incident/orders/${hold1042.id}/release`, { token: statusToken });
      assert.equal(released.statusCode, 303);
      assert.match(String(released.headers.location), /notice=order-sent/);
      assert.equal(
        (await owner.post(`/incident/orders/${hold1043.id}/cancel`, { token: statusToken })).statusCode,
        303,
      );
      await owner.get(statusPath);
      const again = await owner.post(`/incident/orders/${hold1042.id}/cancel`, { token: statusToken });
      assert.equal(again.statusCode, 409);
      assert.match(again.body, /already sent to the shop/);
      assert.equal((await rows()).length, before + 2);
      // A made-up request, a request id in the wrong shape, and a decision that does not exist: not found.
      assert.equal(
        (await owner.post(`/incident/orders/00000000-0000-4000-8000-000000000000/release`, { token: statusToken }))
          .statusCode,
        404,
      );
      assert.equal((await owner.post(`/incident/orders/${hold1044.id}/ship`, { token: statusToken })).statusCode, 400);

      // Support decides #1044 from the case; an agent may, and it is logged with the agent as actor.
      const agent = await staffSignedIn(m, 'agent');
      const caseView = await agent.get(`/staff/accounts/${sub}`);
      assert.match(card(caseView.body, '1044'), />Cancel it</);
      const incidentId = hold1044.incident_id;
      const byStaff = await agent.post(`/staff/accounts/${sub}/incidents/${incidentId}/orders/${hold1044.id}/cancel`);
      assert.equal(byStaff.statusCode, 303);
      // A case form aimed at another incident's order is as unknown as a missing one.
      const elsewhere = await agent.post(
        `/staff/accounts/${sub}/incidents/00000000-0000-4000-8000-000000000000/orders/${hold1045.id}/cancel`,
      );
      assert.equal(elsewhere.statusCode, 404);

      // The shop hears each decision as a follow-up to its hold, on the same item, and answers it.
      await m.deliver();
      const followUps = undoEvents(receiver.accepted).filter((event) => event.follows);
      assert.deepEqual(
        followUps.map((event) => [event.item.id, event.action, event.follows]),
        [
          ['1042', 'release-order', hold1042.id],
          ['1043', 'cancel-order', hold1043.id],
          ['1044', 'cancel-order', hold1044.id],
        ],
      );
      const waitingOnShop = await callApi(m.issuer, token, 'GET', '/api/v1/undo-requests');
      const listed = (waitingOnShop.body as { requests: { id: string; follows: string | null; action: string }[] })
        .requests;
      assert.deepEqual(
        listed.map((r) => `${r.action} ${r.follows}`).sort(),
        [`cancel-order ${hold1043.id}`, `cancel-order ${hold1044.id}`, `release-order ${hold1042.id}`].sort(),
      );
      for (const event of followUps)
        assert.equal(
          (await answer(event.request_id, { answer: event.action === 'release-order' ? 'released' : 'cancelled' }))
            .status,
          200,
        );

      // She sees the shop's answers; the decided orders have no buttons any more.
      const answered = await owner.get(statusPath);
      assert.match(card(answered.body, '1042'), /Release asked of the shop[\s\S]*Released by the shop/);
      assert.match(card(answered.body, '1043'), /Cancellation asked of the shop[\s\S]*Cancelled by the shop/);
      assert.match(card(answered.body, '1044'), /Cancelled by the shop/);
      assert.doesNotMatch(card(answered.body, '1042'), /<button/);
      assert.match(card(answered.body, '1045'), />This was mine: release it</);
      assert.match((await agent.get(`/staff/accounts/${sub}`)).body, /Released by the shop/);
      const decided = await m.deps.db
        .selectFrom('account_log')
        .select(['actor_type'])
        .where('kind', '=', 'held-order-decided')
        .execute();
      assert.deepEqual(decided.map((d) => d.actor_type).sort(), ['customer', 'customer', 'staff']);
      assert.match(answered.body, /Order #1042: release it/);

      // After recovery, the checklist lists the same orders; once every item is ticked the case closes
      // and the last held order can no longer be decided, from the incident page or the account.
      m.clock.advance(5 * 3_600_000);
      await owner.get(statusPath);
      await m.deliver();
      const recovered = await ownerRecovers(m, NEW_PASSWORD);
      assert.equal((await signIn(m, OWNER, NEW_PASSWORD, recovered)).res.statusCode, 303);
      const account = await recovered.get('/account');
      assert.match(card(account.body, '1043'), /Cancelled by the shop/);
      assert.match(card(account.body, '1045'), />Cancel it</);
      // From the checklist she cancels #1046; the timeline says what she chose.
      const fromChecklist = await recovered.post(`/account/orders/${hold1046.id}/cancel`);
      assert.equal(fromChecklist.statusCode, 303);
      assert.match(
        (await recovered.get(String(fromChecklist.headers.location))).body,
        /Your choice was sent to the shop/,
      );
      assert.equal((await rows()).filter((r) => r.follows === hold1046.id && r.action === 'cancel-order').length, 1);
      assert.match((await recovered.get('/account/activity')).body, /Order #1046: cancel it/);
      const items0 = [...account.body.matchAll(/action="\/account\/checklist\/([^/]+)\/([^"]+)"/g)];
      assert.ok(items0.length > 0);
      for (const [, incident, item] of items0)
        assert.equal((await recovered.post(`/account/checklist/${incident}/${item}`)).statusCode, 303);
      const closed = await m.deps.db.selectFrom('incidents').select('state').executeTakeFirstOrThrow();
      assert.equal(closed.state, 'closed');
      await recovered.get('/account');
      const late = await recovered.post(`/account/orders/${hold1045.id}/release`);
      assert.ok([404, 409].includes(late.statusCode), String(late.statusCode));
      await owner.get(statusPath);
      const lateByLink = await owner.post(`/incident/orders/${hold1045.id}/release`, { token: statusToken });
      assert.equal(lateByLink.statusCode, 409);
      assert.match(lateByLink.body, /case has moved on/);
      assert.equal((await rows()).filter((r) => r.follows === hold1045.id).length, 0);
    } finally {
      await receiver.close();
    }
  });

  test('the intruder’s own incident page cannot release the order he placed; the owner’s can; a signed-in stranger cannot reach it from the checklist', async () => {
    const { attacker } = await takeOver(m);
    const attackerSid = String((await shopSignsIn(m, shop, attacker)).claims()?.sid);
    const sub = (await m.deps.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow()).id;
    assert.equal(
      (await report(sub, order('2042', 'Drop box, 9-9-9 Chiyoda', attackerSid, 'Gaming laptop'))).status,
      201,
    );
    await m.deliver();
    const noticeTo = (to: string) =>
      m.mailer
        .to(to)
        .find((mail) => /An order to a new address/.test(mail.subject))
        ?.text.match(/This wasn't me: (\S+)/)?.[1] ?? '';
    const theirLink = noticeTo('evil@example.net');
    const ownerLink = noticeTo(OWNER);

    // He reports from his own mailbox to get an incident page of his own: a newcomer's.
    await attacker.get(pathOf(theirLink));
    const reported = await attacker.post('/report', { token: tokenOf(theirLink), undo: [] });
    assert.equal(reported.statusCode, 303);
    const hisPath = String(reported.headers.location);
    const hisToken = tokenOf(`http://x${hisPath}`);
    const hold = await holdOf('2042');
    assert.equal((await answer(hold.id, { answer: 'held' })).status, 200);

    const hisPage = await attacker.get(hisPath);
    assert.equal(hisPage.statusCode, 200);
    assert.doesNotMatch(hisPage.body, /Gaming laptop|This was mine/);
    const tried = await attacker.post(`/incident/orders/${hold.id}/release`, { token: hisToken });
    assert.equal(tried.statusCode, 403);
    assert.match(tried.body, /Only the account’s owner or our support team/);
    assert.doesNotMatch(tried.body, /Gaming laptop/);
    // A made-up link, a request id in the wrong shape, or no session at all: a clear 4xx, never a 500.
    for (const [path, form] of [
      [`/incident/orders/${hold.id}/release`, { token: 'A'.repeat(43) }],
      [`/incident/orders/${hold.id}/release`, { token: 'x'.repeat(500) }],
      ['/incident/orders/..%2F..%2Fadmin/release', { token: hisToken }],
      [`/incident/orders/${hold.id}/release`, {}],
    ] as const) {
      const res = await attacker.post(path, form);
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${path}: ${res.statusCode}`);
      assert.doesNotMatch(res.body, /at .*\.ts:\d+|Gaming laptop/);
    }
    const anonymous = await new TestClient(m.app).post(`/account/orders/${hold.id}/release`);
    assert.ok(anonymous.statusCode >= 300 && anonymous.statusCode < 500, String(anonymous.statusCode));
    assert.equal((await rows()).length, 1, 'nothing sent to the shop');

    // A stranger signed in to an account of their own cannot decide it from a checklist either.
    const stranger = await registerAndVerify(m, 'stranger@example.org');
    assert.equal((await signIn(m, 'stranger@example.org', undefined, stranger)).res.statusCode, 303);
    await stranger.get('/account');
    assert.equal((await stranger.post(`/account/orders/${hold.id}/cancel`)).statusCode, 404);

    // The owner, through her own copy of the notice, can.
    const owner = new TestClient(m.app);
    await owner.get(pathOf(ownerLink));
    const entered = await owner.post('/report/incident', { token: tokenOf(ownerLink) });
    const ownerPath = String(entered.headers.location);
    const ownerPage = await owner.get(ownerPath);
    assert.match(card(ownerPage.body, '2042'), /Gaming laptop/);
    const cancelled = await owner.post(`/incident/orders/${hold.id}/cancel`, {
      token: tokenOf(`http://x${ownerPath}`),
    });
    assert.equal(cancelled.statusCode, 303);
    assert.deepEqual(
      (await rows()).map((r) => [r.action, r.follows]),
      [
        ['hold-order', null],
        ['cancel-order', hold.id],
      ],
    );
  });
});
