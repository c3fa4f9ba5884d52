import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PasswordHasher } from '../../src/platform/password-hasher.ts';

const PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

test('no imported check ran: refusals are not held', async () => {
  const hasher = new PasswordHasher(PARAMS, 1);
  assert.equal(hasher.failureFloorMs(), 0);
  const started = performance.now();
  await hasher.holdFailure(started);
  assert.ok(performance.now() - started < 20);
});

test('after slow imported checks, a quick refusal is held about as long as they took (no timing oracle)', async () => {
  const hasher = new PasswordHasher(PARAMS, 1);
  // Stands for a legacy format slower than argon2id (bcrypt at cost 10 and up): 80 ms a check.
  const slowCheck = () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 80));
  for (let i = 0; i < 5; i += 1) assert.equal(await hasher.verifyOther(slowCheck, false), false);
  const floor = hasher.failureFloorMs();
  assert.ok(floor >= 75 && floor < 500, `floor ${floor.toFixed(1)} ms`);
  const started = performance.now();
  await hasher.holdFailure(started);
  const held = performance.now() - started;
  assert.ok(held >= floor - 2, `a refusal of an unknown address is held ${held.toFixed(1)} ms`);
});
