import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containsCardNumber, isExpired, passesLuhn } from '../../src/core/payment-card.ts';

test('card numbers are recognised with or without spaces and dashes', () => {
  assert.equal(containsCardNumber('4242424242424242'), true);
  assert.equal(containsCardNumber('4242 4242 4242 4242'), true);
  assert.equal(containsCardNumber('tok-4242-4242-4242-4242'), true);
  assert.equal(containsCardNumber('tok_1NXWPn2eZvKYlo2C'), false);
  assert.equal(containsCardNumber('tok_demo_visa_4242'), false);
});

test('Luhn check', () => {
  assert.equal(passesLuhn('4242424242424242'), true);
  assert.equal(passesLuhn('4242424242424241'), false);
});

test('expiry is the end of the month', () => {
  const now = new Date('2026-03-15T00:00:00Z');
  assert.equal(isExpired(3, 2026, now), false);
  assert.equal(isExpired(2, 2026, now), true);
  assert.equal(isExpired(12, 2025, now), true);
});
