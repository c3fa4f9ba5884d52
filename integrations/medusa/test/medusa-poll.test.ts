import assert from 'node:assert/strict';
import { decodeJwt, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { after, before, describe, test } from 'node:test';
import {
  ATTACKER_BROWSER,
  OWNER,
  OWNER_PASSWORD,
  ownerReports,
  ownerSignsUp,
  signInWith,
} from '../../../src/cli/demo/story.ts';
import { SSF_CHANNEL } from '../../../src/store/outbox.ts';
import type { StoreName, TestMamori } from '../../../test/support/harness.ts';
import { TestClient } from '../../../test/support/http-client.ts';
import { postgresUnavailable, stopClusterIfStarted } from '../../../test/support/postgres.ts';
import { ownerRecovers, STORY_ENV } from '../../../test/support/story.ts';
import { mamoriAndMedusa, stopTemplateCluster, until, type MedusaWorld } from './support/medusa-beside.ts';
import { DROP, HOME, OWNER_BROWSER } from './support/held-order.ts';
import { signInAtMedusa } from './support/sign-in.ts';
import { callMedusa, must, placeOrder, seedStore, type SeededStore } from '../scripts/store-api.ts';

const INTRUDER_EMAIL = 'drop-box@example.net';
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';

/**
 * A man in the middle of Mamori's poll answers (what the intruder would need to reach a store that
 * polls): records the SETs Mamori answers, and slips the intruder's own SETs in ahead of them.
 */
class PollWire {
  served: string[] = [];
  forged: Record<string, string> = {};
  injected = 0;

  install = (m: TestMamori): void => {
    m.app.addHook('onSend', async (request, _reply, payload) => {
      if (request.method !== 'POST' || !request.url.startsWith('/api/v1/ssf/poll')) return payload;
      if (typeof payload !== 'string') return payload;
      const answer = JSON.parse(payload) as { sets?: Record<string, string>; moreAvailable?: boolean };
      if (!answer.sets) return payload;
      this.served.push(...Object.values(answer.sets));
      if (Object.keys(this.forged).length === 0) return payload;
      this.injected += 1;
      return JSON.stringify({ ...answer, sets: { ...this.forged, ...answer.sets } });
    });
  };
}

/** Everything Mamori queued for the store's stream has been fetched and acknowledged. */
async function allAcknowledged(world: MedusaWorld): Promise<boolean> {
  const rows = await world.m.deps.db
    .selectFrom('outbox')
    .select(['status'])
    .where('channel', '=', SSF_CHANNEL)
    .execute();
  return rows.length > 0 && rows.every((row) => row.status === 'sent');
}

/** The intruder's own SETs, made to look like Mamori's: its key id, its issuer, this store as audience. */
async function forgedSets(world: MedusaWorld, sub: string): Promise<Record<string, string>> {
  const { keys } = (await (await fetch(`${world.m.issuer}/oidc/jwks`)).json()) as {
    keys: { kid: string; alg?: string }[];
  };
  const alg = keys[0]?.alg ?? 'RS256';
  const { privateKey } = await generateKeyPair(alg);
  const claims = {
    sub_id: { format: 'iss_sub', iss: world.m.issuer, sub },
    events: { [`${RISC}identifier-changed`]: { 'new-value': INTRUDER_EMAIL } },
  };
  const signed = await new SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'secevent+jwt', kid: keys[0]?.kid ?? '' })
    .setIssuer(world.m.issuer)
    .setAudience(world.clientId)
    .setIssuedAt()
    .setJti('forged-signed')
    .sign(privateKey);
  const unsigned = new UnsecuredJWT(claims)
    .setIssuer(world.m.issuer)
    .setAudience(world.clientId)
    .setIssuedAt()
    .setJti('forged-unsigned')
    .encode();
  return { 'forged-signed': signed, 'forged-unsigned': unsigned };
}

/**
 * Issue 28, for a store Mamori cannot reach (no back-channel logout, the stream in poll mode): the owner
 * contains from the notice and Medusa's scheduled job alone makes the intruder's Medusa token and refresh
 * dead and holds his order; SETs the intruder slips into the poll answer are refused and never acted on;
 * the same SETs pushed again after the poll carried them out are not carried out twice.
 */
const suite = (mamoriStore: StoreName) => () => {
  const wire = new PollWire();
  let world: MedusaWorld;
  let store: SeededStore;
  before(async () => {
    world = await mamoriAndMedusa(mamoriStore, STORY_ENV, {
      unreachable: true,
      medusaEnv: { MAMORI_SSF_POLL_SECONDS: '1' },
      beforeListen: wire.install,
    });
    store = await seedStore(world.medusa.url);
  });
  after(() => world?.close());

  test('containment reaches Medusa by its own polling; forged SETs in the answer are refused; a SET pushed again is not applied twice', async () => {
    const { m, medusa } = world;
    const base = medusa.url;
    const owner = await ownerSignsUp(m);
    const ownerAtStore = await signInAtMedusa(world, owner, store);
    const ownerOrder = await placeOrder(base, store, ownerAtStore.token, HOME, OWNER_BROWSER);
    const intruder = new TestClient(m.app, { 'user-agent': ATTACKER_BROWSER });
    assert.equal(await signInWith(intruder, OWNER, OWNER_PASSWORD), 303);
    const intruderAtStore = await signInAtMedusa(world, intruder, store);
    const stolen = await placeOrder(base, store, intruderAtStore.token, DROP, ATTACKER_BROWSER);
    await until('both orders reported to Mamori', () => ordersReported(world, 2), world.medusa.logFile);

    // From here on the intruder, in the middle, adds his own SETs to every poll answer.
    const account = await m.deps.db.selectFrom('accounts').select('id').where('email', '=', OWNER).executeTakeFirst();
    wire.forged = await forgedSets(world, account?.id ?? '');

    // The owner contains from the order notice; nothing is pushed to Medusa, its job polls.
    const notice = () => m.mailer.to(OWNER).find((mail) => /An order to a new address was placed/.test(mail.subject));
    await until(
      'the order notice',
      async () => (await m.deliver()) >= 0 && notice() !== undefined,
      world.medusa.logFile,
    );
    const link = notice()?.text.match(/This wasn't me: (\S+)/)?.[1] ?? '';
    await ownerReports(m, link, new TestClient(m.app));
    await m.deliver();
    const meOf = (token: string) =>
      callMedusa(base, 'GET', '/store/customers/me', { token, key: store.publishableKey });
    await until(
      'the intruder’s Medusa token refused',
      async () => (await meOf(intruderAtStore.token)).status === 401,
      world.medusa.logFile,
    );
    await until('every SET acknowledged', () => allAcknowledged(world), world.medusa.logFile);
    const refresh = await callMedusa(base, 'POST', '/auth/token/refresh', { token: intruderAtStore.token });
    assert.equal(refresh.status, 401, 'a refused token cannot be refreshed into a new one');
    const admin = (method: string, path: string, body?: unknown) =>
      callMedusa(base, method, path, { token: store.adminToken, body });
    const fulfil = (order: typeof stolen) =>
      admin('POST', `/admin/orders/${order.id}/fulfillments`, {
        location_id: store.locationId,
        items: order.items.map((item) => ({ id: item.id, quantity: 1 })),
      });
    const held = await fulfil(stolen);
    assert.equal(held.status, 409, JSON.stringify(held.body));
    assert.equal((await fulfil(ownerOrder)).status, 200, 'her earlier order is not held');

    // The forged SETs were in the answers the job read, and in the one staff ask for now: refused, not acted on.
    assert.ok(wire.injected >= 1, 'the forged SETs reached Medusa');
    const now = await admin('POST', '/admin/mamori/security-events/poll');
    assert.equal(now.status, 200, JSON.stringify(now.body));
    assert.equal(now.body.refused, 2, JSON.stringify(now.body));
    assert.equal(now.body.applied, 0, JSON.stringify(now.body));
    const { customer } = await must<{ customer: { email: string } }>(
      base,
      'GET',
      `/admin/customers/${ownerAtStore.customerId}?fields=email`,
      { token: store.adminToken },
    );
    assert.equal(customer.email, OWNER, 'the intruder’s address did not become the customer’s');
    wire.forged = {};

    // Only the store's staff run the poll: not the intruder with his (dead) token, not anyone.
    assert.equal((await callMedusa(base, 'POST', '/admin/mamori/security-events/poll')).status, 401);
    const asIntruder = await callMedusa(base, 'POST', '/admin/mamori/security-events/poll', {
      token: intruderAtStore.token,
    });
    assert.equal(asIntruder.status, 401);

    // She recovers; the job carries out what recovery sends; she signs in at the store again.
    const containment = [...wire.served];
    const types = containment.flatMap((set) => Object.keys(decodeJwt(set).events as object));
    assert.ok(types.includes(`${RISC}account-disabled`), types.join(' '));
    m.clock.advance(5 * 3_600_000);
    await m.deliver();
    const recovered = await ownerRecovers(m, 'fresh start lantern meadow');
    assert.equal(await signInWith(recovered, OWNER, 'fresh start lantern meadow'), 303);
    await m.deliver();
    await until('recovery’s SETs acknowledged', () => allAcknowledged(world), world.medusa.logFile);
    const again = await signInAtMedusa(world, recovered, store);
    assert.equal((await meOf(again.token)).status, 200);

    // Containment's SETs come again, pushed this time: accepted, and not carried out a second time (it
    // would end her new sign-in).
    for (const set of containment) {
      const pushed = await fetch(`${base}/mamori/security-events`, {
        method: 'POST',
        headers: { 'content-type': 'application/secevent+jwt' },
        body: set,
      });
      assert.equal(pushed.status, 202);
    }
    assert.equal((await meOf(again.token)).status, 200, 'a SET delivered twice is carried out once');
  });
};

async function ordersReported(world: MedusaWorld, count: number): Promise<boolean> {
  const rows = await world.m.deps.db
    .selectFrom('account_log')
    .select('id')
    .where('kind', '=', 'shop-order-placed')
    .execute();
  return rows.length >= count;
}

// Medusa needs PostgreSQL; Mamori beside it runs on each of its stores.
describe(
  'a Medusa store Mamori cannot reach, polling its events',
  { skip: postgresUnavailable ?? false, timeout: 900_000 },
  () => {
    describe('[sqlite]', suite('sqlite'));
    describe('[postgres]', suite('postgres'));
    after(async () => {
      await stopTemplateCluster();
      await stopClusterIfStarted();
    });
  },
);
