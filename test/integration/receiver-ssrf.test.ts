// Issue 24 section 1, from a hostile shop's side: it points its push stream (and an operator its logout
// URI) into Mamori's own network, hoping the worker POSTs there with a header the shop chose.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { clientCommand } from '../../src/cli/client-commands.ts';
import type { DomainError } from '../../src/core/errors.ts';
import { PUSH_DELIVERY } from '../../src/core/ssf/security-events.ts';
import type { ResolveHost } from '../../src/delivery/receiver-agents.ts';
import { addClient } from '../../src/services/oidc/clients.ts';
import { queueSecurityEvents } from '../../src/services/ssf/security-events.ts';
import { createStream, updateStream } from '../../src/services/ssf/streams.ts';
import { insertOutboxRow } from '../../src/store/outbox.ts';
import { updateSsfStream } from '../../src/store/ssf-streams.ts';
import { registerAndVerify, staffSignedIn } from '../support/flows.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { loopbackOnly } from '../support/loopback-only.ts';
import { registerShop, startIssuer } from '../support/oidc.ts';
import { callApi, setReceiver, shopApiToken } from '../support/ssf.ts';

const STREAM = '/api/v1/ssf/stream';

const PRODUCTION = {
  MAMORI_MODE: 'production',
  MAMORI_PUBLIC_URL: 'https://account.maple.example',
  MAMORI_SMTP_URL: 'smtp://relay.maple.example:587',
  MAMORI_SECRET_KEY: Buffer.alloc(32, 7).toString('base64url'),
};

/** The list, and each rule the refusal must name. */
const HOSTILE: [string, RegExp][] = [
  ['https://169.254.169.254/latest/meta-data/iam/security-credentials/', /link-local/],
  ['https://10.0.0.1/', /private address \(RFC 1918/],
  ['http://127.0.0.1:22/', /loopback address/],
  ['http://0x7f.1/', /loopback address/],
  ['http://2130706433/', /loopback address/],
  ['https://[::ffff:169.254.169.254]/', /link-local/],
  ['http://localhost./', /loopback name/],
  ['https://100.64.0.1/', /carrier-grade NAT/],
  ['https://[fd00::1]/', /unique local/],
  ['https://[fe80::1]/', /link-local/],
  ['https://0.0.0.0/', /unspecified/],
  ['https://224.0.0.1/', /multicast/],
  ['https://metadata.google.internal/computeMetadata/v1/', /internal name/],
  ['https://metadata.hostile.example/', /cloud metadata name/],
];

const refusedNaming = (rule: RegExp) => (error: DomainError) =>
  error.code === 'RECEIVER_NOT_ALLOWED' &&
  rule.test(error.details.reason ?? '') &&
  /MAMORI_RECEIVER_ALLOW/.test(error.details.reason ?? '');

/** DNS as a table: the hostile shop's names resolve to loopback (nothing off this machine is ever reached). */
function dnsTable(entries: Record<string, string>): ResolveHost {
  return async (hostname) => {
    const address = entries[hostname];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };
}

forEachStore('Outgoing requests reach only where the operator allows', (store) => {
  let guard: ReturnType<typeof loopbackOnly>;
  beforeEach(() => (guard = loopbackOnly()));
  afterEach(() => {
    assert.deepEqual(guard.attempts, [], 'nothing was connected to off loopback');
    guard.restore();
  });

  describe('production', () => {
    let m: TestMamori;
    afterEach(async () => m.close());

    test('registration refuses every address and name of the list: stream create, PATCH, PUT, client add (service and CLI)', async () => {
      m = await startMamori(store, PRODUCTION, { resolveHost: dnsTable({}) });
      const { client } = await addClient(m.deps, {
        name: 'Hostile shop',
        redirectUris: ['https://hostile.example/cb'],
      });
      for (const [url, rule] of HOSTILE) {
        await assert.rejects(
          createStream(m.deps, client.clientId, { delivery: { method: PUSH_DELIVERY, endpoint_url: url } }),
          refusedNaming(rule),
          `create ${url}`,
        );
        await assert.rejects(
          addClient(m.deps, {
            name: `Shop for ${url}`,
            redirectUris: ['https://hostile.example/cb'],
            backchannelLogoutUri: url,
          }),
          refusedNaming(rule),
          `client add ${url}`,
        );
      }
      const created = await createStream(m.deps, client.clientId, {
        delivery: { method: PUSH_DELIVERY, endpoint_url: 'https://events.hostile.example/ssf' },
      });
      for (const replace of [false, true])
        for (const [url, rule] of HOSTILE)
          await assert.rejects(
            updateStream(
              m.deps,
              client.clientId,
              created.stream_id,
              { delivery: { method: PUSH_DELIVERY, endpoint_url: url } },
              replace,
            ),
            refusedNaming(rule),
            `${replace ? 'PUT' : 'PATCH'} ${url}`,
          );
      const streams = await m.deps.db.selectFrom('ssf_streams').select('endpoint_url').execute();
      assert.deepEqual(streams, [{ endpoint_url: 'https://events.hostile.example/ssf' }]);
      const clients = await m.deps.db.selectFrom('oidc_clients').select('name').execute();
      assert.deepEqual(clients, [{ name: 'Hostile shop' }]);

      const lines: string[] = [];
      const exit = await clientCommand(
        m.config,
        [
          'add',
          '--name',
          'Careless shop',
          '--redirect-uri',
          'https://careless.example/cb',
          '--backchannel-logout-uri',
          'https://169.254.169.254/logout',
        ],
        (line) => lines.push(line),
      );
      assert.equal(exit, 2);
      assert.match(lines.join('\n'), /169\.254\.169\.254 is a link-local address.*MAMORI_RECEIVER_ALLOW/);
    });

    test('a public name that resolves to 127.0.0.1 passes registration, is refused when the worker connects, and the failed attempt shows on the staff case view', async () => {
      const receiver = await setReceiver();
      const port = new URL(receiver.url).port;
      try {
        m = await startMamori(store, PRODUCTION, {
          resolveHost: dnsTable({ 'rebind.hostile.example': '127.0.0.1', 'logout.hostile.example': '::1' }),
        });
        const { client } = await addClient(m.deps, {
          name: 'Hostile shop',
          redirectUris: ['https://hostile.example/cb'],
          backchannelLogoutUri: `https://logout.hostile.example:${port}/logout`,
          firstParty: true,
        });
        await createStream(m.deps, client.clientId, {
          delivery: {
            method: PUSH_DELIVERY,
            endpoint_url: `https://rebind.hostile.example:${port}/events`,
            authorization_header: 'Bearer chosen-by-the-shop',
          },
        });
        await registerAndVerify(m, 'hana@example.com');
        const accountId = (await m.deps.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow()).id;
        await m.deps.db.transaction().execute(async (trx) => {
          await queueSecurityEvents(trx, m.deps, [
            { event: { name: 'credential-change', accountId, credentialType: 'password', changeType: 'update' } },
          ]);
          // As a containment queues it for the shop's grant.
          await insertOutboxRow(
            trx,
            {
              id: 'logout-1',
              channel: 'backchannel-logout',
              account_id: accountId,
              recipient: `https://logout.hostile.example:${port}/logout`,
              locale: '',
              template: 'logout-token',
              model: JSON.stringify({ clientId: client.clientId, sub: accountId, jti: 'logout-1' }),
            },
            m.clock.now().toISOString(),
          );
        });
        await m.deliver();
        assert.deepEqual(receiver.requests, [], 'the receiver on 127.0.0.1 heard nothing');

        const answers = (
          await m.deps.db.selectFrom('delivery_attempts').select(['answer', 'ok']).orderBy('answer').execute()
        ).filter((a) => /hostile/.test(a.answer));
        assert.deepEqual(
          answers.map((a) => [a.ok, a.answer.replace(/ is a .*/, '')]),
          [
            [0, 'refused before connecting: logout.hostile.example resolves to ::1'],
            [0, 'refused before connecting: rebind.hostile.example resolves to 127.0.0.1'],
          ],
        );
        const staff = await staffSignedIn(m, 'agent');
        const page = (await staff.get(`/staff/accounts/${accountId}`)).body;
        assert.match(
          page,
          /refused before connecting: rebind\.hostile\.example resolves to 127\.0\.0\.1 is a loopback/,
        );
        assert.match(page, /refused before connecting: logout\.hostile\.example resolves to ::1 is a loopback/);
        assert.match(page, /MAMORI_RECEIVER_ALLOW/);
      } finally {
        await receiver.close();
      }
    });

    test('the operator allows a network on purpose (MAMORI_RECEIVER_ALLOW): a shop backend there is delivered to', async () => {
      const receiver = await setReceiver();
      try {
        m = await startMamori(
          store,
          { ...PRODUCTION, MAMORI_RECEIVER_ALLOW: '127.0.0.0/8' },
          { resolveHost: dnsTable({}) },
        );
        const { client } = await addClient(m.deps, {
          name: 'Shop on the same network',
          redirectUris: ['https://shop.example/cb'],
          firstParty: true,
        });
        await createStream(m.deps, client.clientId, {
          delivery: { method: PUSH_DELIVERY, endpoint_url: receiver.url },
        });
        await assert.rejects(
          addClient(m.deps, {
            name: 'Still not metadata',
            redirectUris: ['https://shop.example/cb'],
            backchannelLogoutUri: 'https://169.254.169.254/',
          }),
          refusedNaming(/link-local/),
        );
        await m.deps.db.transaction().execute((trx) =>
          queueSecurityEvents(trx, m.deps, [
            {
              event: {
                name: 'credential-change',
                accountId: 'a-1',
                credentialType: 'password',
                changeType: 'update',
              },
            },
          ]),
        );
        await m.deliver();
        assert.equal(receiver.accepted.length, 1);
      } finally {
        await receiver.close();
      }
    });
  });

  describe('development, through the API as the hostile shop', () => {
    let m: TestMamori & { issuer: string };
    afterEach(async () => m.close());

    test('stream create, PATCH and PUT answer a problem naming the rule and the variable; loopback (the example shop) is accepted', async () => {
      m = await startIssuer(store);
      const shop = await registerShop(m, { name: 'Hostile partner', firstParty: false });
      const token = await shopApiToken(m.issuer, shop);
      const refused = async (method: string, body: Record<string, unknown>, rule: RegExp) => {
        const res = await callApi(m.issuer, token, method, STREAM, body);
        const problem = res.body as { type: string; title: string; detail: string };
        assert.equal(res.status, 400, `${method} ${JSON.stringify(body)}`);
        assert.match(res.type, /^application\/problem\+json/);
        assert.equal(problem.type, 'https://mamori.dev/problems/receiver-not-allowed');
        assert.match(problem.title, /MAMORI_RECEIVER_ALLOW/);
        assert.match(problem.detail, rule);
        assert.match(problem.detail, /MAMORI_RECEIVER_ALLOW/);
      };
      for (const [url, rule] of HOSTILE.filter(([, rule]) => !/loopback/.test(String(rule))))
        await refused('POST', { delivery: { method: PUSH_DELIVERY, endpoint_url: url } }, rule);
      const receiver = await setReceiver();
      try {
        const created = await callApi(m.issuer, token, 'POST', STREAM, {
          delivery: { method: PUSH_DELIVERY, endpoint_url: receiver.url },
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const streamId = (created.body as { stream_id: string }).stream_id;
        for (const method of ['PATCH', 'PUT'])
          await refused(
            method,
            { stream_id: streamId, delivery: { method: PUSH_DELIVERY, endpoint_url: 'https://10.0.0.1/' } },
            /RFC 1918/,
          );
        const read = await callApi(m.issuer, token, 'GET', `${STREAM}?stream_id=${streamId}`);
        assert.equal((read.body as { delivery: { endpoint_url: string } }).delivery.endpoint_url, receiver.url);
      } finally {
        await receiver.close();
      }
    });

    test('an endpoint stored before the rule (169.254.169.254) is refused at delivery, before any connection, and support sees why', async () => {
      m = await startIssuer(store);
      const receiver = await setReceiver();
      try {
        const { client } = await addClient(m.deps, {
          name: 'Old shop',
          redirectUris: ['http://localhost:3001/callback'],
          firstParty: true,
        });
        const created = await createStream(m.deps, client.clientId, {
          delivery: { method: PUSH_DELIVERY, endpoint_url: receiver.url },
        });
        await updateSsfStream(m.deps.db, created.stream_id, {
          endpoint_url: 'https://169.254.169.254/latest/meta-data/',
        });
        await registerAndVerify(m, 'hana@example.com');
        const accountId = (await m.deps.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow()).id;
        await m.deps.db
          .transaction()
          .execute((trx) =>
            queueSecurityEvents(trx, m.deps, [
              { event: { name: 'credential-change', accountId, credentialType: 'password', changeType: 'update' } },
            ]),
          );
        await m.deliver();
        const staff = await staffSignedIn(m, 'agent');
        const page = (await staff.get(`/staff/accounts/${accountId}`)).body;
        assert.match(page, /refused before connecting: 169\.254\.169\.254 is a link-local address/);
        assert.deepEqual(receiver.requests, []);
      } finally {
        await receiver.close();
      }
    });
  });
});
