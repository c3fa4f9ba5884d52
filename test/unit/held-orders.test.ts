import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DomainError } from '../../src/core/errors.ts';
import { assertMayDecide, heldOrdersFrom, ordersAskedToHold } from '../../src/core/shop/held-orders.ts';
import { formatMoney, shopChangeEntry, shopChangeSummary } from '../../src/core/shop/shop-changes.ts';

const held = { action: 'hold-order', answer: 'held', follows: null };
const refusedWith = (code: string) => (error: unknown) => error instanceof DomainError && error.code === code;

test('only the owner or support decide a held order, once, while the case is open, and only once the shop holds it', () => {
  assert.doesNotThrow(() =>
    assertMayDecide({ decider: 'owner', incidentState: 'waiting', request: held, alreadyDecided: false }),
  );
  assert.doesNotThrow(() =>
    assertMayDecide({ decider: 'staff', incidentState: 'disputed', request: held, alreadyDecided: false }),
  );
  // Someone who may be the intruder cannot release the order the intruder placed.
  assert.throws(
    () => assertMayDecide({ decider: 'newcomer', incidentState: 'waiting', request: held, alreadyDecided: false }),
    refusedWith('ORDER_NOT_YOURS'),
  );
  for (const over of ['closed', 'dismissed'] as const)
    assert.throws(
      () => assertMayDecide({ decider: 'owner', incidentState: over, request: held, alreadyDecided: false }),
      refusedWith('INCIDENT_STATE'),
    );
  assert.throws(
    () => assertMayDecide({ decider: 'owner', incidentState: 'recovered', request: held, alreadyDecided: true }),
    refusedWith('ORDER_ALREADY_DECIDED'),
  );
  for (const answer of [null, 'already-shipped', 'refused'])
    assert.throws(
      () =>
        assertMayDecide({
          decider: 'owner',
          incidentState: 'waiting',
          request: { ...held, answer },
          alreadyDecided: false,
        }),
      refusedWith('ORDER_NOT_HELD'),
    );
  // A card removal, or a decision itself, is not something to release or cancel.
  for (const request of [
    { ...held, action: 'remove-payment-method' },
    { ...held, action: 'release-order', follows: 'r1' },
  ])
    assert.throws(
      () => assertMayDecide({ decider: 'owner', incidentState: 'waiting', request, alreadyDecided: false }),
      refusedWith('NOT_FOUND'),
    );
});

test('money is written as the reader’s locale writes that currency, never rounded', () => {
  assert.equal(formatMoney('en', '50000', 'JPY'), '¥50,000');
  assert.equal(formatMoney('ja', '50000', 'JPY'), '￥50,000');
  assert.equal(formatMoney('en', '12.5', 'USD'), '$12.50');
  // Finer than the currency's unit (a yen has no fraction): shown as sent rather than rounded.
  assert.equal(formatMoney('en', '100.5', 'JPY'), 'JPY 100.5');
});

test('the orders held, with what was in them: for the pages from the requests, for the mail from the plan', () => {
  const entry = shopChangeEntry(
    {
      type: 'order-placed',
      orderId: '1042',
      amount: { value: '50000', currency: 'JPY' },
      shipTo: { line1: 'Drop box', city: 'Chiyoda', country: 'JP' },
      paymentMethod: { reference: 'pm_1' },
      items: [{ name: 'Rice cooker', quantity: 2 }, { name: 'Tea towel' }],
    },
    { clientId: 'shop-1', name: 'Maple Market' },
  );
  assert.equal(entry.after.items, 'Rice cooker ×2, Tea towel');
  assert.match(shopChangeSummary(entry.after, 'ja'), /^#1042 · Rice cooker ×2, Tea towel · ￥50,000 → Drop box/);
  const step = { changeId: 'c1', kind: 'shop-order-placed', outcome: 'asked', after: entry.after };
  const summary = {
    orderId: '1042',
    items: 'Rice cooker ×2, Tea towel',
    amount: '50000',
    currency: 'JPY',
    shipTo: 'Drop box, Chiyoda, JP',
  };
  assert.deepEqual(ordersAskedToHold([step, { ...step, outcome: 'skipped' }]), [summary]);
  const hold = { id: 'r1', action: 'hold-order', follows: null, change_id: 'c1', item_id: '1042' };
  const decision = { id: 'r2', action: 'cancel-order', follows: 'r1', change_id: 'c1', item_id: '1042' };
  const card = { id: 'r3', action: 'remove-payment-method', follows: null, change_id: 'c2', item_id: 'pm' };
  assert.deepEqual(heldOrdersFrom([hold, card, decision], [step]), [{ hold, decision, order: summary }]);
});
