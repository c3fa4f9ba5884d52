import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accountClaims, CLAIMS_BY_SCOPE, SHOP_CUSTOMER_ID_CLAIM } from '../../src/core/oidc/claims.ts';

const account = {
  id: 'acc_1',
  email: 'hanako@example.jp',
  emailVerifiedAt: null,
  name: 'Hanako',
  locale: 'ja',
  irreversibleHoldUntil: null,
};
const now = new Date('2026-01-01T00:00:00Z');

test('the importing shop gets its own customer id under the documented claim', () => {
  const claims = accountClaims({ ...account, shopCustomerId: 'wc-1042' }, now);
  assert.equal(claims[SHOP_CUSTOMER_ID_CLAIM], 'wc-1042');
  assert.ok((CLAIMS_BY_SCOPE.openid as readonly string[]).includes(SHOP_CUSTOMER_ID_CLAIM));
});

test('another shop (no id of its own for her) gets no shop customer id claim at all', () => {
  assert.equal(SHOP_CUSTOMER_ID_CLAIM in accountClaims({ ...account, shopCustomerId: null }, now), false);
  assert.equal(SHOP_CUSTOMER_ID_CLAIM in accountClaims(account, now), false);
});
