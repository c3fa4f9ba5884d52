import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cardNumberFields,
  containsCardNumber,
  findCardNumbers,
  isExpired,
  maskCardNumbers,
  passesLuhn,
} from '../../src/core/payment-card.ts';

/** Test numbers the card networks publish (each passes Luhn). */
const PANS = {
  visa: '4111111111111111',
  visa13: '4222222222222',
  amex: '378282246310005',
  jcb: '3530111333300000',
  mastercard: '5555555555554444',
  unionpay19: '6250941006528599',
  diners14: '30569309025904',
};

test('Luhn check, ASCII and full-width digits', () => {
  assert.equal(passesLuhn('4242424242424242'), true);
  assert.equal(passesLuhn('4242424242424241'), false);
  assert.equal(passesLuhn('４２４２４２４２４２４２４２４２'), true);
});

test('a card number is found however it is written: together, grouped by spaces or dashes, full width', () => {
  for (const [brand, pan] of Object.entries(PANS)) {
    assert.equal(containsCardNumber(pan), true, brand);
    assert.equal(containsCardNumber(pan.replace(/(\d{4})(?=\d)/g, '$1 ')), true, `${brand} in groups`);
    assert.equal(containsCardNumber(pan.replace(/(\d{4})(?=\d)/g, '$1-')), true, `${brand} with dashes`);
  }
  assert.equal(containsCardNumber('4242 4242 4242 4242'), true);
  assert.equal(containsCardNumber('tok-4242-4242-4242-4242'), true);
  assert.equal(containsCardNumber('4111111111111111 exp 12/29 cvv 123'), true);
  assert.equal(containsCardNumber('card 4111 1111 1111 1111 123 please'), true, 'with the security code after it');
  assert.equal(
    containsCardNumber('カード番号は４１１１　１１１１　１１１１　１１１１です'),
    true,
    'full width, ideographic spaces',
  );
  assert.equal(containsCardNumber('３７８２－８２２４６３－１０００５'), true, 'full-width dashes (Amex grouping)');
});

test('what is not a card number passes: tokens, last 4, short or non-Luhn numbers, phones, ids', () => {
  for (const text of [
    'tok_1NXWPn2eZvKYlo2C',
    'tok_demo_visa_4242',
    'VISA •••• 4242',
    '4111111111111112', // fails Luhn
    '411111111111', // 12 digits
    '41111111111111111111', // 20 digits in one run
    '0000000000000', // no issuer number starts with 0
    '+86 138 0013 8002 1', // an international phone number
    '41111111-1111-1111-1111-000000000000', // a UUID whose first groups make a Luhn-valid 16
    '〒150-0001 東京都渋谷区神宮前1-2-3',
    'order 2026-12-06 12:30, 2 items',
    '4111 1111  1111 1111', // two spaces: two numbers, neither a card
  ])
    assert.equal(containsCardNumber(text), false, text);
});

test('findCardNumbers gives where each number sits', () => {
  const text = 'a 4111-1111-1111-1111 and 5555555555554444.';
  assert.deepEqual(findCardNumbers(text), [
    { start: 2, end: 21 },
    { start: 26, end: 42 },
  ]);
});

test("a customer's own words keep everything but the digits of the card before its last 4", () => {
  assert.equal(
    maskCardNumbers('My card 4111 1111 1111 1111 was stolen, exp 12/29'),
    'My card •••• •••• •••• 1111 was stolen, exp 12/29',
  );
  assert.equal(maskCardNumbers('カード４１１１１１１１１１１１１１１１です'), 'カード••••••••••••１１１１です');
  assert.equal(maskCardNumbers('no number here, 090-1234-5678'), 'no number here, 090-1234-5678');
  assert.equal(containsCardNumber(maskCardNumbers(`${PANS.amex} / ${PANS.jcb}`)), false);
});

test('cardNumberFields names every place of a body that holds one, never the number itself', () => {
  const body = {
    type: 'order-placed',
    shipTo: { line1: '1-2-3 Jingumae', line2: 'near 4111 1111 1111 1111' },
    paymentMethod: { display: '4111111111111111 exp 12/29 cvv 123' },
    ack: ['ok', '5555-5555-5555-4444'],
    setErrs: { [PANS.jcb]: { err: 'x' } },
    points: 4111111111111111,
  };
  const fields = cardNumberFields(body);
  assert.deepEqual(fields, ['shipTo.line2', 'paymentMethod.display', 'ack[1]', 'setErrs.••••••••••••0000 (name)']);
  assert.deepEqual(cardNumberFields('4111111111111111'), ['body']);
  assert.deepEqual(cardNumberFields({ name: 'Hana', postalCode: '150-0001' }), []);
});

test('expiry is the end of the month', () => {
  const now = new Date('2026-03-15T00:00:00Z');
  assert.equal(isExpired(3, 2026, now), false);
  assert.equal(isExpired(2, 2026, now), true);
  assert.equal(isExpired(12, 2025, now), true);
});

test('a body nested thousands deep is walked without recursion: found, never a stack overflow', () => {
  let deep: unknown = '4111111111111111';
  for (let i = 0; i < 100_000; i += 1) deep = [deep];
  assert.equal(cardNumberFields(deep).length, 1);
  assert.equal(cardNumberFields({ a: deep }).length, 1);
});

test('the fewest digits a card number has are enough, counted in either width; one fewer never is', () => {
  // 4222222222222 (13 digits, Luhn-valid), its first group full width and grouped by a dash.
  assert.equal(containsCardNumber('ref ４２２２-222222222 ok'), true);
  assert.deepEqual(findCardNumbers('x 4222222222222 y'), [{ start: 2, end: 15 }]);
  assert.equal(containsCardNumber('422222222222'), false, '12 digits');
  assert.equal(containsCardNumber('4222 2222 2222 x 2'), false, '12 in the run, the 13th elsewhere');
});
