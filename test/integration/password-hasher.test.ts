import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PasswordHasher } from '../../src/platform/password-hasher.ts';

const OWASP = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

test('no more hashes run at once than the configured concurrency; the rest wait their turn and all answer right', async () => {
  const hasher = new PasswordHasher(OWASP, 2);
  // The constructor's dummy hash (for unknown accounts) takes a turn too; wait until it is done.
  await hasher.verify(null, 'settle');
  const stored = await hasher.hash('correct horse battery staple');
  assert.equal(hasher.waiting, 0);
  const guesses = ['correct horse battery staple', 'wrong', 'correct horse battery staple', 'also wrong', ''];
  const answers = Promise.all(guesses.map((guess) => hasher.verify(stored, guess)));
  assert.equal(hasher.waiting, 3);
  assert.deepEqual(await answers, [true, false, true, false, false]);
  assert.equal(hasher.waiting, 0);
});

test('an unknown account queues for the same turn as a known one, so both cost the same wait', async () => {
  const hasher = new PasswordHasher(OWASP, 1);
  const stored = await hasher.hash('correct horse battery staple');
  const known = hasher.verify(stored, 'correct horse battery staple');
  const unknown = hasher.verify(null, 'correct horse battery staple');
  const another = hasher.verify(stored, 'correct horse battery staple');
  // The unknown account's verify waits on its dummy hash first, then joins the same queue.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(hasher.waiting, 2);
  assert.deepEqual(await Promise.all([known, unknown, another]), [true, false, true]);
});

test('a malformed stored hash is a wrong password, not an error, and frees its turn', async () => {
  const hasher = new PasswordHasher(OWASP, 1);
  assert.equal(await hasher.verify('$argon2id$v=19$m=19456,t=2,p=1$not-a-hash', 'anything'), false);
  assert.equal(await hasher.verify(await hasher.hash('next in line'), 'next in line'), true);
});
