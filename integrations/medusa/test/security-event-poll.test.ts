import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, Modules } from '@medusajs/framework/utils';
import { addClient } from '../../../src/services/oidc/clients.ts';
import { queueSecurityEvents } from '../../../src/services/ssf/security-events.ts';
import { SSF_CHANNEL } from '../../../src/store/outbox.ts';
import { forEachStore, type TestMamori } from '../../../test/support/harness.ts';
import { startIssuer } from '../../../test/support/oidc.ts';
import { mamoriApi } from '../src/lib/mamori-api.ts';
import { pollSecurityEvents } from '../src/lib/security-event-poll.ts';
import { receiveSecurityEvent } from '../src/lib/security-events.ts';
import type { MamoriSettings } from '../src/lib/settings.ts';

/** What the poll needs of Medusa's container: its cache (seen-once) and its logger; `failSetAfter` breaks the cache. */
function fakeContainer() {
  const cache = new Map<string, unknown>();
  const state = { failSetAfter: Infinity, warnings: [] as string[] };
  const services: Record<string, unknown> = {
    [Modules.CACHE]: {
      get: async (key: string) => cache.get(key) ?? null,
      set: async (key: string, value: unknown) => {
        if (cache.size >= state.failSetAfter) throw new Error('the cache is down');
        cache.set(key, value);
      },
      invalidate: async (key: string) => void cache.delete(key),
    },
    [ContainerRegistrationKeys.LOGGER]: { warn: (line: string) => state.warnings.push(line) },
  };
  const container = {
    resolve: (key: string) => {
      if (!(key in services)) throw new Error(`not in the fake container: ${key}`);
      return services[key];
    },
  } as unknown as MedusaContainer;
  return { container, state };
}

async function statuses(m: TestMamori): Promise<Record<string, number>> {
  const rows = await m.deps.db.selectFrom('outbox').select('status').where('channel', '=', SSF_CHANNEL).execute();
  const counts: Record<string, number> = {};
  for (const { status } of rows) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/**
 * The poll job's reading of Mamori's RFC 8936 stream, against a real Mamori with Medusa's container
 * faked: more SETs than one answer holds are read across answers (moreAvailable), each acknowledged
 * once carried out; one that cannot be carried out stops the round unacknowledged and comes again.
 */
forEachStore('Medusa polling Mamori’s security events', (store) => {
  let m: TestMamori & { issuer: string };
  let settings: MamoriSettings;
  before(async () => {
    m = await startIssuer(store);
    const { client, clientSecret } = await addClient(m.deps, {
      name: 'Maple Market (Medusa)',
      redirectUris: ['http://localhost:8000/account/mamori/callback'],
      firstParty: true,
    });
    settings = { issuer: m.issuer, clientId: client.clientId, clientSecret, events: { delivery: 'poll' } };
  });
  after(() => m?.close());

  const queueVerifications = async (count: number) => {
    const stream = await m.deps.db.selectFrom('ssf_streams').select('id').executeTakeFirstOrThrow();
    const events = Array.from({ length: count }, (_, i) => ({
      event: { name: 'verification' as const, streamId: stream.id, state: `check-${i}` },
    }));
    await m.deps.db.transaction().execute((trx) => queueSecurityEvents(trx, m.deps, events));
  };

  test('the first poll opens a poll stream; 150 SETs are read over two answers and acknowledged', async () => {
    const { container } = fakeContainer();
    assert.deepEqual(await pollSecurityEvents(container, settings), { applied: 0, acknowledged: 0, refused: 0 });
    const stream = await m.deps.db.selectFrom('ssf_streams').select('delivery_method').executeTakeFirst();
    assert.equal(stream?.delivery_method, 'urn:ietf:rfc:8936');
    await queueVerifications(150);
    assert.deepEqual(await pollSecurityEvents(container, settings), { applied: 150, acknowledged: 150, refused: 0 });
    assert.deepEqual(await statuses(m), { sent: 150 });
  });

  test('a SET that cannot be carried out is not acknowledged: the round stops there and it comes again, once', async () => {
    const { container, state } = fakeContainer();
    await queueVerifications(5);
    state.failSetAfter = 2;
    await assert.rejects(pollSecurityEvents(container, settings), /the cache is down/);
    assert.deepEqual(await statuses(m), { sent: 152, 'awaiting-poll': 3 });
    state.failSetAfter = Infinity;
    assert.deepEqual(await pollSecurityEvents(container, settings), { applied: 3, acknowledged: 3, refused: 0 });
    assert.deepEqual(await statuses(m), { sent: 155 });
  });

  test('a SET pushed and then polled is carried out once, and acknowledged', async () => {
    const { container } = fakeContainer();
    await queueVerifications(1);
    const api = mamoriApi(settings);
    const endpoint = (await api.openStream(settings.events)).delivery.endpoint_url;
    const { sets = {} } = await api.poll(endpoint, { ack: [], maxEvents: 10 });
    const [token] = Object.values(sets);
    assert.equal(typeof token, 'string');
    assert.equal((await receiveSecurityEvent(container, settings, String(token))).acted, true);
    assert.deepEqual(await pollSecurityEvents(container, settings), { applied: 0, acknowledged: 1, refused: 0 });
    assert.deepEqual(await statuses(m), { sent: 156 });
  });
});
