import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/core/oidc/logout-token.ts';
import { EVENT_TYPES } from '../../src/core/ssf/security-events.ts';
import { queueSecurityEvents } from '../../src/services/ssf/security-events.ts';
import { up as shopCustomersMigration } from '../../src/store/migrations/0017-shop-customers.ts';
import {
  attackerTakesOver as takeOver,
  emailChangedReportLink,
  ownerReports,
  ownerSignsUp,
} from '../../src/cli/demo/story.ts';
import { registerAndVerify, signIn } from '../support/flows.ts';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import type { TestClient } from '../support/http-client.ts';
import { logoutReceiver, partnerSignsIn, registerShop, startIssuer, type TestShop } from '../support/oidc.ts';
import { callApi, shopApiToken } from '../support/ssf.ts';
import { ATTACKER, OWNER, STORY_ENV } from '../support/story.ts';

const STREAM = '/api/v1/ssf/stream';
const POLL = '/api/v1/ssf/poll';
const DAY = 24 * 3_600_000;

/**
 * Issue 24: a shop hears only of its own customers. Written from the side of a partner shop (not the
 * store's own) that would like to hear of everyone: its stream, its add-subject calls and its logout
 * tokens concern only accounts that signed in to it, and a changed address only if it was given one.
 */
forEachStore('What a partner shop hears', (store) => {
  let m: TestMamori & { issuer: string };
  let partner: TestShop;
  let partnerToken: string;
  beforeEach(async () => {
    m = await startIssuer(store, STORY_ENV);
    partner = await registerShop(m, { name: 'Partner shop', firstParty: false });
    partnerToken = await shopApiToken(m.issuer, partner);
  });
  afterEach(async () => {
    await m.close();
  });

  async function pollStream(shop: TestShop, token: string): Promise<string> {
    const created = await callApi(m.issuer, token, 'POST', STREAM, { delivery: { method: 'urn:ietf:rfc:8936' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const stream = created.body as { stream_id: string; default_subjects: string; aud: string };
    assert.equal(stream.aud, shop.clientId);
    return stream.stream_id;
  }

  /** Every SET waiting for the shop, verified as a receiver would, oldest first. */
  async function polled(shop: TestShop, token: string) {
    const res = await callApi(m.issuer, token, 'POST', POLL, { maxEvents: 1000 });
    assert.equal(res.status, 200);
    const sets = Object.values((res.body as { sets: Record<string, string> }).sets);
    const jwks = createRemoteJWKSet(new URL(`${m.issuer}/oidc/jwks`));
    return Promise.all(
      sets.map(async (set) => {
        const { payload } = await jwtVerify(set, jwks, { issuer: m.issuer, audience: shop.clientId });
        const events = payload.events as Record<string, Record<string, unknown>>;
        const [type] = Object.keys(events);
        return {
          raw: JSON.stringify(decodeJwt(set)),
          type: String(type),
          body: events[String(type)] ?? {},
          subject: payload.sub_id as Record<string, string>,
          txn: payload.txn as string | undefined,
        };
      }),
    );
  }

  const accountIdOf = async (email: string) =>
    (await m.deps.db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const incidentId = async () => (await m.deps.db.selectFrom('incidents').select('id').executeTakeFirstOrThrow()).id;

  /** The story: the owner (who may first sign in to the partner), the takeover three days later, her report. */
  async function containment(beforeTakeover: (owner: TestClient) => Promise<unknown> = async () => undefined) {
    const owner = await ownerSignsUp(m);
    await beforeTakeover(owner);
    m.clock.advance(3 * DAY);
    await takeOver(m);
    await ownerReports(m, emailChangedReportLink(m));
    await m.deliver();
  }

  test('containment of an account that never signed in to the partner: 0 events there, while the store’s own shop hears it', async () => {
    const own = await registerShop(m, { name: 'Own storefront' });
    const ownToken = await shopApiToken(m.issuer, own);
    await pollStream(own, ownToken);
    const streamId = await pollStream(partner, partnerToken);
    await containment();

    assert.deepEqual(await polled(partner, partnerToken), [], 'the partner hears nothing of a stranger');
    const queued = await m.deps.db
      .selectFrom('outbox')
      .select('id')
      .where('channel', '=', 'ssf')
      .where('recipient', '=', streamId)
      .execute();
    assert.equal(queued.length, 0, 'nothing queued for it either');
    const ownEvents = await polled(own, ownToken);
    assert.ok(ownEvents.length >= 6, `the store’s own shop hears all of it (${ownEvents.length})`);
    const config = await callApi(m.issuer, partnerToken, 'GET', `${STREAM}?stream_id=${streamId}`);
    assert.equal((config.body as { default_subjects: string }).default_subjects, 'NONE', 'its stream says so');
  });

  test('containment of the partner’s own customer: every event, account-disabled first, the incident’s txn on each it caused', async () => {
    await pollStream(partner, partnerToken);
    await containment((owner) => partnerSignsIn(m, partner, owner, 'openid email'));
    const events = await polled(partner, partnerToken);
    assert.deepEqual(
      events.map((e) => e.type),
      [
        EVENT_TYPES['identifier-changed'], // the attacker's address
        EVENT_TYPES['credential-change'], // the attacker's password
        EVENT_TYPES['account-disabled'], // containment, first
        EVENT_TYPES['account-credential-change-required'],
        EVENT_TYPES['session-revoked'],
        EVENT_TYPES['identifier-changed'], // the owner's address back, after the grant was deleted
      ],
    );
    const txn = await incidentId();
    assert.deepEqual(
      events.slice(2).map((e) => e.txn),
      [txn, txn, txn, txn],
      'every SET the incident caused carries it',
    );
    const [attackerAddress, , , , , ownerAddress] = events;
    assert.deepEqual(attackerAddress?.subject, { format: 'email', email: OWNER }, 'granted email: the addresses');
    assert.deepEqual(attackerAddress?.body, { 'new-value': ATTACKER });
    assert.deepEqual(ownerAddress?.subject, { format: 'email', email: ATTACKER });
    assert.deepEqual(ownerAddress?.body, { 'new-value': OWNER });
  });

  test('a partner the customer did not give her address hears that it changed, never what it was or is', async () => {
    await pollStream(partner, partnerToken);
    await containment((owner) => partnerSignsIn(m, partner, owner, 'openid'));
    const events = await polled(partner, partnerToken);
    const changed = events.filter((e) => e.type === EVENT_TYPES['identifier-changed']);
    assert.equal(changed.length, 2, 'both changes are heard');
    const sub = { format: 'iss_sub', iss: m.issuer, sub: await accountIdOf(OWNER) };
    for (const event of changed) {
      assert.deepEqual(event.subject, sub, 'named by its sub, not its address');
      assert.deepEqual(event.body, {}, 'no new-value');
    }
    for (const event of events) {
      assert.doesNotMatch(event.raw, /@/, 'no address in any SET');
      assert.ok(!event.raw.includes(OWNER) && !event.raw.includes(ATTACKER));
    }
  });

  test('add-subject: a stranger is refused as an unknown account is; an own customer taken out hears nothing until put back', async () => {
    const streamId = await pollStream(partner, partnerToken);
    const subject = (sub: string) => ({ format: 'iss_sub', iss: m.issuer, sub });
    const add = (token: string, sub: string, stream = streamId) =>
      callApi(m.issuer, token, 'POST', '/api/v1/ssf/subjects/add', { stream_id: stream, subject: subject(sub) });
    const remove = (sub: string) =>
      callApi(m.issuer, partnerToken, 'POST', '/api/v1/ssf/subjects/remove', {
        stream_id: streamId,
        subject: subject(sub),
      });

    await registerAndVerify(m, 'stranger@example.com');
    const stranger = await accountIdOf('stranger@example.com');
    const refused = await add(partnerToken, stranger);
    const unknown = await add(partnerToken, 'x'.repeat(stranger.length));
    assert.equal(refused.status, 404, JSON.stringify(refused.body));
    assert.equal(unknown.status, 404);
    assert.deepEqual(refused.body, unknown.body, 'the answer tells nothing of whether the account exists');
    assert.equal((await remove(stranger)).status, 404, 'nor can it be removed');
    const elsewhere = await callApi(m.issuer, partnerToken, 'POST', '/api/v1/ssf/subjects/add', {
      stream_id: streamId,
      subject: { format: 'iss_sub', iss: 'https://elsewhere.example', sub: stranger },
    });
    assert.equal(elsewhere.status, 400);

    // The store's own shop may name any account; another shop cannot touch this stream.
    const own = await registerShop(m, { name: 'Own storefront' });
    const ownToken = await shopApiToken(m.issuer, own);
    const ownStream = await pollStream(own, ownToken);
    assert.equal((await add(ownToken, stranger, ownStream)).status, 200);
    assert.equal((await add(ownToken, stranger)).status, 404, 'not its stream');

    // An own customer: taken out, its events stop; put back, they come again.
    await registerAndVerify(m, 'hana@example.com');
    const { client: browser } = await signIn(m, 'hana@example.com');
    await partnerSignsIn(m, partner, browser);
    const hana = await accountIdOf('hana@example.com');
    const changePassword = () =>
      m.deps.db.transaction().execute((trx) =>
        queueSecurityEvents(trx, m.deps, [
          {
            event: { name: 'credential-change', accountId: hana, credentialType: 'password', changeType: 'update' },
          },
        ]),
      );
    assert.equal((await remove(hana)).status, 204);
    await changePassword();
    assert.equal((await polled(partner, partnerToken)).length, 0, 'removed: nothing about it');
    assert.equal((await add(partnerToken, hana)).status, 200);
    await changePassword();
    const events = await polled(partner, partnerToken);
    assert.deepEqual(
      events.map((e) => e.subject.sub),
      [hana],
    );
  });

  test('grants from before the upgrade count: migration 0017 makes their accounts the shops’ customers, email as granted', async () => {
    const grant = (id: string, accountId: string, clientId: string, scope: string) => ({
      kind: 'Grant',
      id,
      payload: JSON.stringify({ accountId, clientId, openid: { scope } }),
      grant_id: null,
      uid: null,
      user_code: null,
      expires_at: null,
      consumed_at: null,
      account_id: accountId,
      client_id: clientId,
    });
    const db = m.deps.db;
    await db.deleteFrom('shop_customers').execute();
    await sql`DROP TABLE shop_customers`.execute(db);
    await sql`DROP TABLE ssf_removed_subjects`.execute(db);
    await db
      .insertInto('oidc_payloads')
      .values([
        grant('g1', 'acct-1', partner.clientId, 'openid'),
        grant('g2', 'acct-1', partner.clientId, 'openid email'),
        grant('g3', 'acct-2', partner.clientId, 'openid profile'),
      ])
      .execute();
    await shopCustomersMigration(db as unknown as Kysely<unknown>);
    const rows = await db
      .selectFrom('shop_customers')
      .select(['account_id', 'email_granted'])
      .where('client_id', '=', partner.clientId)
      .orderBy('account_id')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.account_id, Number(r.email_granted)]),
      [
        ['acct-1', 1],
        ['acct-2', 0],
      ],
    );
  });

  test('logout tokens go only to the shop the customer signed in to, one per shop session, each with its sid (strict RP)', async () => {
    const mine = await logoutReceiver();
    const theirs = await logoutReceiver();
    try {
      const shop = await registerShop(m, { name: 'Shop she uses', firstParty: false, backchannelLogoutUri: mine.url });
      const other = await registerShop(m, {
        name: 'Shop she never used',
        firstParty: false,
        backchannelLogoutUri: theirs.url,
      });
      await registerAndVerify(m, 'hana@example.com');
      await registerAndVerify(m, 'sora@example.com');
      const { client: phone } = await signIn(m, 'hana@example.com');
      const { client: laptop } = await signIn(m, 'hana@example.com');
      const sids = [
        (await partnerSignsIn(m, shop, phone)).claims()?.sid,
        (await partnerSignsIn(m, shop, laptop)).claims()?.sid,
      ];
      // Someone else uses the other shop: that shop has grants, none of hers.
      const { client: sora } = await signIn(m, 'sora@example.com');
      await partnerSignsIn(m, other, sora);

      await phone.get('/account/sessions');
      assert.equal((await phone.post('/account/sessions/sign-out-everywhere')).statusCode, 303);
      await m.deliver();

      assert.equal(theirs.tokens.length, 0, 'a shop she never signed in to hears nothing');
      const hana = await accountIdOf('hana@example.com');
      const jwks = createRemoteJWKSet(new URL(`${m.issuer}/oidc/jwks`));
      // As a relying party registered with backchannel_logout_session_required: a token without sid is refused.
      const strict = async (token: string) => {
        const { payload } = await jwtVerify(token, jwks, {
          issuer: m.issuer,
          audience: shop.clientId,
          typ: 'logout+jwt',
          requiredClaims: ['iat', 'jti', 'events', 'sid'],
          currentDate: new Date(Number(decodeJwt(token).iat) * 1000),
        });
        assert.equal(typeof payload.sid, 'string', 'session_required: sid');
        assert.equal(payload.nonce, undefined);
        assert.deepEqual(payload.events, { [BACKCHANNEL_LOGOUT_EVENT]: {} });
        return payload;
      };
      const payloads = await Promise.all(mine.tokens.map(strict));
      assert.deepEqual(
        payloads.map((p) => p.sub),
        [hana, hana],
      );
      assert.deepEqual(
        payloads.map((p) => String(p.sid)).sort(),
        sids.map(String).sort(),
        'one per shop session, each the sid its ID token carried',
      );
    } finally {
      await mine.close();
      await theirs.close();
    }
  });
});
