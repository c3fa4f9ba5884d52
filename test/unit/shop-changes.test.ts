import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  announcesShopChange,
  shipToKey,
  shopChangeEntry,
  shopChangeSummary,
} from '../../src/core/shop/shop-changes.ts';

test('one place however it is typed: full-width, spacing, punctuation and case fold away; the recipient does not count', () => {
  const home = { line1: '1-2-3 Marunouchi', city: 'Chiyoda', postalCode: '100-0001', country: 'JP' };
  assert.equal(
    shipToKey(home),
    shipToKey({ ...home, line1: '１－２－３　ＭＡＲＵＮＯＵＣＨＩ', postalCode: '1000001' }),
  );
  assert.notEqual(shipToKey(home), shipToKey({ ...home, line1: '9-9-9 Marunouchi' }));
  const entry = (recipient: string) =>
    shopChangeEntry(
      { type: 'address-saved', addressId: 'a1', address: { ...home, recipient } },
      { clientId: 'shop-1', name: 'Maple Market' },
    );
  assert.equal(entry('Taro').after.ship_to_key, entry('Someone else').after.ship_to_key);
});

test('notice rules: an order only to a new place from a new browser; spending only from a new browser; saving always', () => {
  const cases: [Parameters<typeof announcesShopChange>[0], boolean, boolean, boolean][] = [
    ['order-placed', true, true, true],
    ['order-placed', true, false, false],
    ['order-placed', false, true, false],
    ['gift-card-redeemed', false, true, true],
    ['points-redeemed', false, false, false],
    ['address-saved', false, false, true],
    ['payment-method-saved', false, false, true],
    ['subscription-started', false, false, true],
  ];
  for (const [type, placeIsNew, browserIsNew, expected] of cases)
    assert.equal(
      announcesShopChange(type, { placeIsNew, browserIsNew }),
      expected,
      `${type} ${placeIsNew} ${browserIsNew}`,
    );
});

test('the log entry names the shop and its item, so a retried report finds it; the summary reads as a person would', () => {
  const entry = shopChangeEntry(
    {
      type: 'order-placed',
      orderId: '1042',
      amount: { value: '50000', currency: 'JPY' },
      shipTo: { line1: 'Drop box, 9-9-9', city: 'Chiyoda', country: 'JP' },
      paymentMethod: { reference: 'pm_1', display: 'VISA •••• 4242' },
    },
    { clientId: 'shop-1', name: 'Maple Market' },
  );
  assert.equal(entry.kind, 'shop-order-placed');
  assert.equal(entry.subjectId, 'shop-1:1042');
  assert.equal(shopChangeSummary(entry.after), '#1042 · ¥50,000 → Drop box, 9-9-9, Chiyoda, JP · VISA •••• 4242');
});
