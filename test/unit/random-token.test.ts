import assert from 'node:assert/strict';
import { test } from 'node:test';
import { looksLikeToken } from '../../src/platform/token-hash.ts';
import { randomToken } from '../../src/runtime/clock.ts';

test('tokens from the pool are 256 bits as 43 base64url characters, all different across many refills', () => {
  const tokens = Array.from({ length: 1000 }, randomToken);
  for (const token of tokens) assert.ok(looksLikeToken(token), token);
  assert.equal(new Set(tokens).size, tokens.length);
  // Bits are not all alike: every base64url character turns up somewhere.
  assert.equal(new Set(tokens.join('')).size, 64);
});

test('no token is made of the zeroes a handed-out slice is overwritten with', () => {
  const zeroes = Buffer.alloc(32).toString('base64url');
  for (let i = 0; i < 300; i += 1) assert.notEqual(randomToken(), zeroes);
});
