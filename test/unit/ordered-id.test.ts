import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cryptoRandom, uuidV7 } from '../../src/runtime/clock.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('ordered ids are RFC 9562 UUIDv7: the milliseconds first, version 7, the RFC variant', () => {
  const ms = Date.UTC(2026, 11, 6, 18, 40);
  const id = uuidV7(ms);
  assert.match(id, UUID_V7);
  assert.equal(parseInt(id.replace('-', '').slice(0, 12), 16), ms);
  assert.match(cryptoRandom.orderedId(), UUID_V7);
});

test('a later millisecond always sorts after, as text; ids of one millisecond still differ', () => {
  for (let i = 0; i < 1000; i++) {
    const ms = 1_700_000_000_000 + i * 7919;
    assert.ok(uuidV7(ms) < uuidV7(ms + 1), `${ms}`);
  }
  const same = new Set(Array.from({ length: 10_000 }, () => uuidV7(1_700_000_000_000)));
  assert.equal(same.size, 10_000);
});
