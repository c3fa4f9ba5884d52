import assert from 'node:assert/strict';
import {
  ATTACKER_BROWSER,
  OWNER,
  OWNER_PASSWORD,
  ownerReports,
  ownerSignsUp,
  signInWith,
} from '../../../../src/cli/demo/story.ts';
import { TestClient } from '../../../../test/support/http-client.ts';
import { until, type MedusaWorld } from './medusa-beside.ts';
import { signInAtMedusa } from './sign-in.ts';
import { callMedusa, placeOrder, type SeededStore, type ShipTo } from '../../scripts/store-api.ts';

export const HOME: ShipTo = {
  first_name: 'Taro',
  last_name: 'Yamada',
  address_1: '1-2-3 Marunouchi',
  city: 'Chiyoda',
  postal_code: '100-0005',
  country_code: 'jp',
};
export const DROP: ShipTo = { ...HOME, first_name: 'Drop', last_name: 'Box', address_1: '9-9-9 Kanda' };
export const OWNER_BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

type Order = Awaited<ReturnType<typeof placeOrder>>;

/** Waits for Medusa's subscriber (it reports after checkout answers) to reach Mamori's account log. */
export const reportsArrived = (world: MedusaWorld, kind: string, count: number): Promise<void> =>
  until(
    `Medusa reporting ${count} ${kind} to Mamori`,
    async () =>
      (await world.m.deps.db.selectFrom('account_log').select('id').where('kind', '=', kind).execute()).length >= count,
    world.medusa.logFile,
    10_000,
  );

/**
 * The story up to a held order, the way a store meets it: the owner orders home, an intruder with her
 * password orders to a new address, she reports it from the notice, and the store reads Mamori's undo
 * request (as its scheduled job does) and holds his order. Answers both orders.
 */
export async function anIntrudersOrderHeld(
  world: MedusaWorld,
  store: SeededStore,
): Promise<{ ownerOrder: Order; stolen: Order }> {
  const { m, medusa } = world;
  const owner = await ownerSignsUp(m);
  const ownerAtStore = await signInAtMedusa(world, owner, store);
  const ownerOrder = await placeOrder(medusa.url, store, ownerAtStore.token, HOME, OWNER_BROWSER);
  const intruder = new TestClient(m.app, { 'user-agent': ATTACKER_BROWSER });
  assert.equal(await signInWith(intruder, OWNER, OWNER_PASSWORD), 303);
  const intruderAtStore = await signInAtMedusa(world, intruder, store);
  const stolen = await placeOrder(medusa.url, store, intruderAtStore.token, DROP, ATTACKER_BROWSER);
  await reportsArrived(world, 'shop-order-placed', 2);
  await m.deliver();
  const notice = m.mailer.to(OWNER).find((mail) => /An order to a new address was placed/.test(mail.subject));
  const link = notice?.text.match(/This wasn't me: (\S+)/)?.[1];
  assert.ok(link, 'the owner has a notice of the intruder’s order');
  await ownerReports(m, link, new TestClient(m.app));
  const synced = await callMedusa(medusa.url, 'POST', '/admin/mamori/undo-requests/sync', { token: store.adminToken });
  assert.equal(synced.status, 200, JSON.stringify(synced.body));
  return { ownerOrder, stolen };
}
