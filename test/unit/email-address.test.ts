import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskEmail, maskPhone, normalizeEmail } from '../../src/core/email-address.ts';

test('addresses are trimmed and lower-cased', () => {
  assert.equal(normalizeEmail('  Taro.Yamada@Example.COM '), 'taro.yamada@example.com');
});

test('masks keep enough to recognise, not enough to harvest', () => {
  assert.equal(maskEmail('taro.yamada@example.com'), 't•••a@example.com');
  assert.equal(maskEmail('ab@example.com'), 'a@example.com');
  assert.equal(maskPhone('+81 90-1234-5678'), '•••5678');
});
