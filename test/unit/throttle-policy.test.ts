import assert from 'node:assert/strict';
import { test } from 'node:test';
import { delayAfter, FAILURE_CAP, reachedCap, throttleDecision } from '../../src/core/throttle-policy.ts';

test('four failures are free; then 30 s doubling, capped at an hour', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => delayAfter(n)),
    [0, 0, 0, 0],
  );
  assert.deepEqual(
    [5, 6, 7, 8].map((n) => delayAfter(n)),
    [30_000, 60_000, 120_000, 240_000],
  );
  assert.equal(delayAfter(12), 3_600_000);
  assert.equal(delayAfter(99), 3_600_000);
});

test('a browser the owner used before is never held back by the delay', () => {
  const now = new Date('2026-03-02T00:00:00Z');
  const blocked = { blockedUntil: new Date('2026-03-02T00:01:00Z') };
  assert.equal(throttleDecision(blocked, now, false), 'wait');
  assert.equal(throttleDecision(blocked, now, true), 'allow');
  assert.equal(throttleDecision(blocked, new Date('2026-03-02T00:01:00Z'), false), 'allow');
});

test('the cap is 100 consecutive failures (NIST SP 800-63B §3.2.2)', () => {
  assert.equal(FAILURE_CAP, 100);
  assert.equal(reachedCap(99), false);
  assert.equal(reachedCap(100), true);
});
