import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { deliverableEvents, EVENT_TYPES } from '../../src/core/ssf/security-events.ts';
import { anotherWorker, forEachStore, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';
import { registerShop, shopSignsIn, startIssuer, type TestShop } from '../support/oidc.ts';
import { callApi, setReceiver, shopApiToken } from '../support/ssf.ts';
import { registerAndVerify, signIn, staffSignedIn } from '../support/flows.ts';
import { eventsCommand } from '../../src/cli/event-commands.ts';
import { MAX_ATTEMPTS } from '../../src/delivery/outbox-worker.ts';
import { queueSecurityEvents } from '../../src/services/ssf/security-events.ts';
import {
  ATTACKER,
  attackerTakesOver,
  emailChangedReportLink,
  OWNER,
  ownerRecovers,
  reportWithDefaults,
  STORY_ENV,
} from '../support/story.ts';

const STREAM = '/api/v1/ssf/stream';
const HOUR = 3_600_000;

/**
 * Mamori as an OpenID Shared Signals transmitter (issue 15, first part): discovery, stream management by
 * the shop itself, push (RFC 8935) and poll (RFC 8936) delivery of signed SETs, and the events a
 * containment and a recovery produce, in order, exactly once.
 */
forEachStore('Shared Signals', (store) => {
  let m: TestMamori & { issuer: string };
  let shop: TestShop;
  let token: string;
  let dir: string;
  beforeEach(async () => {
    // The CLI opens the store by its URL, so SQLite is a file here rather than memory.
    dir = mkdtempSync(join(tmpdir(), 'mamori-ssf-'));
    const file: Record<string, string> =
      store === 'sqlite' ? { MAMORI_DATABASE_URL: `sqlite:${join(dir, 'm.sqlite')}` } : {};
    m = await startIssuer(store, { ...STORY_ENV, ...file });
    shop = await registerShop(m);
    token = await shopApiToken(m.issuer, shop);
  });
  afterEach(async () => {
    await m.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function verified(set: string) {
    assert.equal(decodeProtectedHeader(set).typ, 'secevent+jwt');
    const { payload } = await jwtVerify(set, createRemoteJWKSet(new URL(`${m.issuer}/oidc/jwks`)), {
      issuer: m.issuer,
      audience: shop.clientId,
      typ: 'secevent+jwt',
    });
    assert.equal(payload.sub, undefined, 'SSF: no sub, the subject is sub_id');
    assert.equal(payload.exp, undefined, 'SSF: no exp');
    assert.ok(payload.jti && payload.iat);
    assert.equal(Object.keys(payload.events as object).length, 1, 'one event per SET');
    return payload as typeof payload & {
      sub_id: Record<string, string>;
      events: Record<string, Record<string, unknown>>;
    };
  }

  /** The story up to the owner's click on "This wasn't me"; answers the incident page's path. */
  async function containFromNotice(): Promise<string> {
    await attackerTakesOver(m);
    return reportWithDefaults(m, emailChangedReportLink(m));
  }

  const incidentId = async () => (await m.deps.db.selectFrom('incidents').select('id').executeTakeFirstOrThrow()).id;
  const ownerId = async () =>
    (await m.deps.db.selectFrom('accounts').select('id').where('email', '=', OWNER).executeTakeFirstOrThrow()).id;

  test('discovery names the issuer, the JWKS, both delivery methods and the endpoints', async () => {
    const res = await fetch(`${m.issuer}/.well-known/ssf-configuration`);
    assert.equal(res.status, 200);
    const config = (await res.json()) as Record<string, unknown>;
    assert.equal(config.issuer, m.issuer);
    assert.equal(config.spec_version, '1_0');
    assert.equal(config.jwks_uri, `${m.issuer}/oidc/jwks`);
    assert.deepEqual(config.delivery_methods_supported, ['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936']);
    assert.equal(config.configuration_endpoint, `${m.issuer}${STREAM}`);
    assert.equal(config.add_subject_endpoint, `${m.issuer}/api/v1/ssf/subjects/add`);
    assert.equal(config.remove_subject_endpoint, `${m.issuer}/api/v1/ssf/subjects/remove`);
    assert.equal(config.default_subjects, undefined, 'it depends on the receiver: each stream says which');
  });

  test('a push stream: verified, then the story arrives in order (address, password, containment with one txn), each SET once despite three failures', async () => {
    const receiver = await setReceiver([500, 400, 503]);
    try {
      const created = await callApi(m.issuer, token, 'POST', STREAM, {
        delivery: {
          method: 'urn:ietf:rfc:8935',
          endpoint_url: receiver.url,
          authorization_header: 'Bearer shop-secret',
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const stream = created.body as {
        stream_id: string;
        events_delivered: string[];
        aud: string;
        default_subjects: string;
      };
      assert.equal(stream.aud, shop.clientId);
      assert.equal(stream.default_subjects, 'ALL', 'the store’s own shop hears of every account');
      assert.deepEqual(
        stream.events_delivered.sort(),
        deliverableEvents(m.issuer).sort(),
        'every standard event but verification, and Mamori’s undo request under the issuer',
      );
      assert.equal(JSON.stringify(created.body).includes('shop-secret'), false, 'the header is never read back');
      assert.equal((await callApi(m.issuer, token, 'POST', STREAM, {})).status, 409, 'one stream per shop');

      assert.equal(
        (
          await callApi(m.issuer, token, 'POST', '/api/v1/ssf/verify', {
            stream_id: stream.stream_id,
            state: 'VGhpcyBpcyBhbiBleGFtcGxl',
          })
        ).status,
        204,
      );
      await containFromNotice();
      // Three failed attempts (the second a 400 with an RFC 8935 error body), then every SET accepted once.
      for (let attempt = 0; attempt < 6; attempt += 1) {
        await m.deliver();
        m.clock.advance(HOUR);
      }
      const all = await Promise.all(receiver.accepted.map(verified));
      const type = (e: (typeof all)[number]) => Object.keys(e.events)[0];
      // Per subject, in order: the account's events as they happened; the stream's verification apart.
      const verification = all.find((e) => type(e) === EVENT_TYPES.verification);
      const events = all.filter((e) => e !== verification);
      assert.deepEqual(
        events.map(type),
        [
          EVENT_TYPES['identifier-changed'], // the attacker's address
          EVENT_TYPES['credential-change'], // the attacker's password
          EVENT_TYPES['account-disabled'], // containment, first
          EVENT_TYPES['account-credential-change-required'],
          EVENT_TYPES['session-revoked'],
          EVENT_TYPES['identifier-changed'], // the owner's address back
        ],
        'every event once, in the order it happened',
      );
      assert.ok(receiver.requests.every((r) => r.contentType === 'application/secevent+jwt'));
      assert.ok(receiver.requests.every((r) => r.authorization === 'Bearer shop-secret'));
      const [attackerAddress, password, disabled, changeRequired, revoked, ownerAddress] = events;
      assert.deepEqual(verification?.sub_id, { format: 'opaque', id: stream.stream_id });
      assert.deepEqual(verification?.events[EVENT_TYPES.verification], { state: 'VGhpcyBpcyBhbiBleGFtcGxl' });
      assert.deepEqual(attackerAddress?.sub_id, { format: 'email', email: OWNER });
      assert.deepEqual(attackerAddress?.events[EVENT_TYPES['identifier-changed']], { 'new-value': ATTACKER });
      assert.deepEqual(ownerAddress?.sub_id, { format: 'email', email: ATTACKER });
      assert.deepEqual(ownerAddress?.events[EVENT_TYPES['identifier-changed']], { 'new-value': OWNER });
      const change = password?.events[EVENT_TYPES['credential-change']];
      assert.equal(change?.credential_type, 'password');
      assert.equal(change?.change_type, 'update');

      const sub = { format: 'iss_sub', iss: m.issuer, sub: await ownerId() };
      assert.deepEqual(revoked?.sub_id, sub);
      assert.equal(revoked?.events[EVENT_TYPES['session-revoked']]?.initiating_entity, 'user');
      assert.deepEqual(disabled?.sub_id, sub);
      assert.deepEqual(disabled?.events[EVENT_TYPES['account-disabled']], { reason: 'hijacking' });
      const txn = await incidentId();
      assert.deepEqual(
        [disabled?.txn, changeRequired?.txn, revoked?.txn, ownerAddress?.txn],
        [txn, txn, txn, txn],
        'txn is the incident, on every event it caused',
      );
      assert.equal(attackerAddress?.txn, undefined, 'the intrusion itself was no incident yet');
      assert.equal(new Set(all.map((e) => e.jti)).size, 7, 'each SET once');

      const attempts = await m.deps.db
        .selectFrom('delivery_attempts')
        .select(['ok', 'answer'])
        .orderBy('attempted_at')
        .execute();
      assert.ok(
        attempts.some((a) => /HTTP 400 \(invalid_key: key not yet known\)/.test(a.answer)),
        'the receiver’s reason is kept',
      );
      const status = await callApi(m.issuer, token, 'GET', `/api/v1/ssf/status?stream_id=${stream.stream_id}`);
      assert.deepEqual(status.body, { stream_id: stream.stream_id, status: 'enabled' });
    } finally {
      await receiver.close();
    }
  });

  test('a paused stream delivers nothing and loses nothing; enabled again, it gets everything in order', async () => {
    const receiver = await setReceiver();
    try {
      const { body } = await callApi(m.issuer, token, 'POST', STREAM, {
        delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url },
        events_requested: [EVENT_TYPES['account-disabled'], EVENT_TYPES['account-enabled']],
      });
      const streamId = (body as { stream_id: string }).stream_id;
      const paused = await callApi(m.issuer, token, 'POST', '/api/v1/ssf/status', {
        stream_id: streamId,
        status: 'paused',
        reason: 'maintenance',
      });
      assert.deepEqual(paused.body, { stream_id: streamId, status: 'paused', reason: 'maintenance' });
      const statusPath = await containFromNotice();
      await m.deliver();
      assert.equal(receiver.accepted.length, 0, 'paused: nothing delivered');

      // Recovery while paused: account-enabled waits behind account-disabled.
      m.clock.advance(5 * HOUR);
      await new TestClient(m.app).get(statusPath);
      await m.deliver();
      await ownerRecovers(m);
      await m.deliver();
      assert.equal(receiver.accepted.length, 0);

      await callApi(m.issuer, token, 'POST', '/api/v1/ssf/status', { stream_id: streamId, status: 'enabled' });
      await m.deliver();
      const events = await Promise.all(receiver.accepted.map(verified));
      assert.deepEqual(
        events.map((e) => Object.keys(e.events)[0]),
        [EVENT_TYPES['account-disabled'], EVENT_TYPES['account-enabled']],
        'only what was asked for, in order (no session-revoked)',
      );
      assert.equal(events[1]?.txn, await incidentId());
    } finally {
      await receiver.close();
    }
  });

  test('a poll stream keeps SETs until acknowledged (by this shop only); setErrs settles one too', async () => {
    const created = await callApi(m.issuer, token, 'POST', STREAM, { delivery: { method: 'urn:ietf:rfc:8936' } });
    assert.equal(created.status, 201);
    assert.equal(
      (created.body as { delivery: { endpoint_url: string } }).delivery.endpoint_url,
      `${m.issuer}/api/v1/ssf/poll`,
    );
    await containFromNotice();
    await m.deliver();

    const first = await callApi(m.issuer, token, 'POST', '/api/v1/ssf/poll', { maxEvents: 1, returnImmediately: true });
    const firstSets = first.body as { sets: Record<string, string>; moreAvailable: boolean };
    assert.equal(Object.keys(firstSets.sets).length, 1);
    assert.equal(firstSets.moreAvailable, true);
    const [[jti1, set1]] = Object.entries(firstSets.sets) as [[string, string]];
    assert.equal((await verified(set1)).jti, jti1);

    // Another shop, with a poll stream of its own, acknowledges (and refuses) this shop's events: nothing
    // of this stream is settled by it, and it is sent none of them.
    const other = await registerShop(m, { name: 'Another shop' });
    const otherToken = await shopApiToken(m.issuer, other);
    await callApi(m.issuer, otherToken, 'POST', STREAM, { delivery: { method: 'urn:ietf:rfc:8936' } });
    const intruding = await callApi(m.issuer, otherToken, 'POST', '/api/v1/ssf/poll', {
      ack: [jti1],
      setErrs: Object.fromEntries(Object.keys(firstSets.sets).map((jti) => [jti, { err: 'x', description: 'y' }])),
    });
    assert.deepEqual(intruding.body, { sets: {}, moreAvailable: false });
    const stillMine = await callApi(m.issuer, token, 'POST', '/api/v1/ssf/poll', { maxEvents: 1 });
    assert.deepEqual(
      Object.keys((stillMine.body as { sets: object }).sets),
      [jti1],
      'not acknowledged by another shop',
    );

    const again = (await callApi(m.issuer, token, 'POST', '/api/v1/ssf/poll', { ack: [jti1] })).body as {
      sets: Record<string, string>;
      moreAvailable: boolean;
    };
    const [refused, ...rest] = Object.keys(again.sets);
    assert.equal(rest.length, 4, 'the other five events of the story, the acknowledged one not again');
    assert.ok(!(jti1 in again.sets));
    assert.equal(again.moreAvailable, false);
    const last = (
      await callApi(m.issuer, token, 'POST', '/api/v1/ssf/poll', {
        ack: rest,
        setErrs: { [String(refused)]: { err: 'invalid_audience', description: 'not ours' } },
      })
    ).body as { sets: Record<string, string> };
    assert.deepEqual(last.sets, {}, 'acknowledged and refused SETs are settled');
    const kept = await m.deps.db
      .selectFrom('outbox')
      .select('last_error')
      .where('id', '=', String(refused))
      .executeTakeFirst();
    assert.equal(kept?.last_error, 'invalid_audience: not ours');
  });

  test('moving a stream between poll and push strands nothing: waiting events go out the new way, in order', async () => {
    const receiver = await setReceiver();
    try {
      const created = await callApi(m.issuer, token, 'POST', STREAM, { delivery: { method: 'urn:ietf:rfc:8936' } });
      const streamId = (created.body as { stream_id: string }).stream_id;
      await containFromNotice();
      await m.deliver();
      const polled = await callApi(m.issuer, token, 'POST', '/api/v1/ssf/poll', {
        maxEvents: 100,
        returnImmediately: true,
      });
      const waiting = Object.keys((polled.body as { sets: object }).sets);
      assert.ok(waiting.length >= 5);

      // Poll to push: everything not yet acknowledged is pushed, oldest first.
      const toPush = await callApi(m.issuer, token, 'PATCH', STREAM, {
        stream_id: streamId,
        delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url },
      });
      assert.equal(toPush.status, 200);
      await m.deliver();
      assert.deepEqual(
        receiver.accepted.map((set) => String(decodeJwt(set).jti)),
        waiting,
        'every waiting event, pushed in the order it was queued',
      );

      // Push to poll: what was waiting to be pushed is there to poll.
      await callApi(m.issuer, token, 'POST', '/api/v1/ssf/verify', { stream_id: streamId, state: 'after-move' });
      const toPoll = await callApi(m.issuer, token, 'PATCH', STREAM, {
        stream_id: streamId,
        delivery: { method: 'urn:ietf:rfc:8936' },
      });
      assert.equal(toPoll.status, 200);
      await m.deliver();
      assert.equal(receiver.accepted.length, waiting.length, 'nothing more pushed after the move');
      const after = await callApi(m.issuer, token, 'POST', '/api/v1/ssf/poll', { returnImmediately: true });
      const sets = Object.values((after.body as { sets: Record<string, string> }).sets);
      assert.equal(sets.length, 1);
      assert.deepEqual((await verified(sets[0] ?? '')).events[EVENT_TYPES.verification], { state: 'after-move' });
    } finally {
      await receiver.close();
    }
  });

  test('stream calls without a token, with a customer’s token, without the scope or for another shop’s stream are refused', async () => {
    const { body } = await callApi(m.issuer, token, 'POST', STREAM, { delivery: { method: 'urn:ietf:rfc:8936' } });
    const streamId = (body as { stream_id: string }).stream_id;

    const anonymous = await callApi(m.issuer, null, 'GET', STREAM);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.type, /^application\/problem\+json/);
    assert.equal((anonymous.body as { status: number }).status, 401);
    assert.equal((await callApi(m.issuer, 'not.a.jwt', 'GET', STREAM)).status, 401);
    assert.equal((await callApi(m.issuer, `${token}x`, 'GET', STREAM)).status, 401, 'a tampered token');

    const readOnly = await shopApiToken(m.issuer, shop, 'ssf.read');
    assert.equal((await callApi(m.issuer, readOnly, 'GET', STREAM)).status, 200);
    assert.equal((await callApi(m.issuer, readOnly, 'DELETE', `${STREAM}?stream_id=${streamId}`)).status, 403);

    const other = await registerShop(m, { name: 'Another shop' });
    const otherToken = await shopApiToken(m.issuer, other);
    assert.deepEqual((await callApi(m.issuer, otherToken, 'GET', STREAM)).body, [], 'sees no stream of another shop');
    assert.equal((await callApi(m.issuer, otherToken, 'GET', `${STREAM}?stream_id=${streamId}`)).status, 404);
    assert.equal(
      (await callApi(m.issuer, otherToken, 'POST', '/api/v1/ssf/status', { stream_id: streamId, status: 'disabled' }))
        .status,
      404,
    );
    assert.equal((await callApi(m.issuer, otherToken, 'DELETE', `${STREAM}?stream_id=${streamId}`)).status, 404);

    // A token a customer's sign-in gave the shop is not the shop itself.
    await registerAndVerify(m, 'hana@example.com');
    const { client: browser } = await signIn(m, 'hana@example.com');
    const api = `${m.issuer}/api`;
    const customer = await shopSignsIn(m, shop, browser, { resource: api, scope: 'openid ssf.manage' });
    const asCustomer = await client.refreshTokenGrant(shop.config, String(customer.refresh_token), { resource: api });
    assert.equal(decodeProtectedHeader(asCustomer.access_token).typ, 'at+jwt');
    assert.equal((await callApi(m.issuer, asCustomer.access_token, 'GET', STREAM)).status, 403);

    const malformed = await callApi(m.issuer, token, 'PATCH', STREAM, {
      stream_id: streamId,
      delivery: { method: 'carrier-pigeon' },
    });
    assert.equal(malformed.status, 400);
    assert.match(String((malformed.body as { detail: string }).detail), /not supported/);
    assert.equal(
      (await callApi(m.issuer, token, 'PATCH', STREAM, { stream_id: streamId, surprise: true })).status,
      400,
    );
    assert.equal((await callApi(m.issuer, token, 'DELETE', `${STREAM}?stream_id=${streamId}`)).status, 204);
    assert.equal((await callApi(m.issuer, token, 'GET', `${STREAM}?stream_id=${streamId}`)).status, 404);
  });

  test('hostile stream requests: 4xx problem details, never a 5xx, nothing changed', async () => {
    const { body } = await callApi(m.issuer, token, 'POST', STREAM, { delivery: { method: 'urn:ietf:rfc:8936' } });
    const streamId = (body as { stream_id: string }).stream_id;
    const snapshot = async () =>
      JSON.stringify([
        await m.deps.db.selectFrom('ssf_streams').selectAll().execute(),
        await m.deps.db.selectFrom('outbox').selectAll().execute(),
      ]);
    const before = await snapshot();
    const raw = async (method: string, path: string, payload: string, type = 'application/json') => {
      const res = await fetch(new URL(path, m.issuer), {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        body: method === 'GET' ? undefined : payload,
      });
      return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
    };
    const cases: [string, string, string, string?][] = [
      ['POST', STREAM, '{not json'],
      ['POST', STREAM, '[1,2,3]'],
      ['POST', STREAM, 'null'],
      ['POST', STREAM, JSON.stringify({ delivery: 'push' })],
      ['POST', STREAM, JSON.stringify({ delivery: { method: 'urn:ietf:rfc:8935' } })],
      [
        'POST',
        STREAM,
        JSON.stringify({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'javascript:alert(1)' } }),
      ],
      [
        'POST',
        STREAM,
        JSON.stringify({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'http://u:p@x.test/' } }),
      ],
      ['POST', STREAM, JSON.stringify({ description: 'a'.repeat(100_000) })],
      ['PATCH', STREAM, JSON.stringify({ stream_id: `${streamId}\u0000`, description: 'x' })],
      ['PATCH', STREAM, JSON.stringify({ stream_id: streamId, description: 'nul \u0000 inside' })],
      ['PATCH', STREAM, JSON.stringify({ stream_id: 42 })],
      ['PATCH', STREAM, JSON.stringify({ stream_id: streamId, events_requested: 'all' })],
      ['PATCH', STREAM, 'stream_id=x', 'application/x-www-form-urlencoded'],
      ['PATCH', STREAM, 'stream_id', 'text/plain'],
      ['POST', '/api/v1/ssf/status', JSON.stringify({ stream_id: streamId, status: 'on' })],
      ['POST', '/api/v1/ssf/status', JSON.stringify({ stream_id: [streamId], status: 'paused' })],
      ['POST', '/api/v1/ssf/verify', JSON.stringify({ stream_id: 'x'.repeat(101) })],
      ['POST', '/api/v1/ssf/poll', JSON.stringify({ maxEvents: -1 })],
      ['POST', '/api/v1/ssf/poll', JSON.stringify({ maxEvents: 1e12 })],
      ['POST', '/api/v1/ssf/poll', JSON.stringify({ ack: ['a\u0000b'] })],
      ['POST', '/api/v1/ssf/poll', JSON.stringify({ setErrs: { x: 'bad' } })],
      ['DELETE', `${STREAM}?stream_id=${encodeURIComponent('\u0000')}`, ''],
      ['GET', `${STREAM}?stream_id=a&stream_id=b`, ''],
    ];
    for (const [method, path, payload, type] of cases) {
      const res = await raw(method, path, payload, type);
      const where = `${method} ${path.slice(0, 60)} ${payload.slice(0, 60)}`;
      assert.ok(res.status >= 400 && res.status < 500, `${where}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.match(res.type, /^application\/(problem\+)?json/, where);
      assert.doesNotMatch(res.text, /\bat [\w.<>]+ \(|node_modules|\.ts:\d+/, where);
    }
    assert.equal(await snapshot(), before);
  });

  test('a stream that gives an event up after every retry is failing: the CLI exits 1, support sees it; a delivery clears it', async () => {
    const receiver = await setReceiver(Array.from({ length: MAX_ATTEMPTS }, () => 503));
    try {
      const { body } = await callApi(m.issuer, token, 'POST', STREAM, {
        delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url },
      });
      const streamId = (body as { stream_id: string }).stream_id;
      await callApi(m.issuer, token, 'POST', '/api/v1/ssf/verify', { stream_id: streamId });
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        await m.deliver();
        m.clock.advance(2 * HOUR);
      }
      assert.equal(receiver.accepted.length, 0);
      const lines: string[] = [];
      assert.equal(await eventsCommand(m.config, ['status'], (line) => lines.push(line)), 1);
      assert.match(lines.join('\n'), /Maple Market storefront {2}stream .* enabled {2}push/);
      assert.match(lines.join('\n'), /1 abandoned/);
      assert.match(lines.join('\n'), /FAILING since/);

      await registerAndVerify(m, 'hana@example.com');
      const staff = await staffSignedIn(m, 'agent');
      const accountId = (await m.deps.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow()).id;
      const page = await staff.get(`/staff/accounts/${accountId}`);
      assert.match(page.body, /The event stream of Maple Market storefront is failing since/);

      // The receiver is back: the next event is delivered and the stream is no longer failing.
      await callApi(m.issuer, token, 'POST', '/api/v1/ssf/verify', { stream_id: streamId, state: 'again' });
      await m.deliver();
      assert.equal(receiver.accepted.length, 1);
      lines.length = 0;
      assert.equal(await eventsCommand(m.config, ['status'], (line) => lines.push(line)), 0);
      assert.doesNotMatch(lines.join('\n'), /FAILING/);
      assert.doesNotMatch((await staff.get(`/staff/accounts/${accountId}`)).body, /is failing since/);
    } finally {
      await receiver.close();
    }
  });

  test('two workers, a receiver that fails now and then: every SET once, each account’s in the order queued', async () => {
    let requests = 0;
    // Every fourth request fails (503): retries must not let a later event of that account overtake it.
    const receiver = await setReceiver(Array.from({ length: 200 }, () => ((requests += 1) % 4 === 0 ? 503 : 202)));
    try {
      const { body } = await callApi(m.issuer, token, 'POST', STREAM, {
        delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url },
      });
      assert.ok((body as { stream_id: string }).stream_id);
      const accounts = ['acct-a', 'acct-b', 'acct-c'];
      for (let round = 0; round < 6; round += 1)
        for (const accountId of accounts) {
          m.clock.advance(1);
          await m.deps.db
            .transaction()
            .execute((trx) =>
              queueSecurityEvents(trx, m.deps, [
                { event: { name: 'credential-change', accountId, credentialType: 'password', changeType: 'update' } },
              ]),
            );
        }
      const queued = await m.deps.db
        .selectFrom('outbox')
        .select(['id', 'account_id'])
        .where('channel', '=', 'ssf')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      const second = anotherWorker(m);
      for (let pass = 0; pass < 12 && receiver.accepted.length < queued.length; pass += 1) {
        await Promise.all([m.deliver(), second.runOnce()]);
        m.clock.advance(HOUR);
      }
      const received = (await Promise.all(receiver.accepted.map(verified))).map((set) => String(set.jti));
      assert.equal(received.length, queued.length, 'every SET delivered');
      assert.equal(new Set(received).size, queued.length, 'none twice');
      for (const accountId of accounts) {
        const mine = new Set(queued.filter((row) => row.account_id === accountId).map((row) => row.id));
        assert.deepEqual(
          received.filter((jti) => mine.has(jti)),
          queued.filter((row) => row.account_id === accountId).map((row) => row.id),
          `${accountId}: in the order queued`,
        );
      }
      assert.ok(receiver.requests.length > queued.length, 'some attempts failed and were retried');
    } finally {
      await receiver.close();
    }
  });
});
