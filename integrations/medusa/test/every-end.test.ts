import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endedWithEveryOther, everyEnded } from '../src/lib/every-end.ts';

const EVENT_AT = 1_800_000_000;

test('ending every sign-in counts each end and keeps the latest time, whatever order the events come in', () => {
  const once = everyEnded({}, EVENT_AT);
  assert.deepEqual(once.ended_all, { count: 1, at: EVENT_AT });
  const lateOlder = everyEnded(once, EVENT_AT - 60);
  assert.deepEqual(lateOlder.ended_all, { count: 2, at: EVENT_AT });
});

test('a sign-in from before the end is dead, also in the same second, and a token that names nothing is dead', () => {
  const marks = everyEnded({}, EVENT_AT);
  assert.equal(endedWithEveryOther(marks, { ended_all_seen: 0, authenticated_at: EVENT_AT - 30 }), true);
  assert.equal(endedWithEveryOther(marks, { ended_all_seen: 0, authenticated_at: EVENT_AT }), true);
  assert.equal(endedWithEveryOther(marks, {}), true, 'a token from before Medusa kept these');
  assert.equal(endedWithEveryOther(marks, { ended_all_seen: 'many', authenticated_at: '9999999999' }), true);
});

test('a sign-in that began after Medusa heard of the end lives, even in the same second', () => {
  const marks = everyEnded({}, EVENT_AT);
  assert.equal(endedWithEveryOther(marks, { ended_all_seen: 1, authenticated_at: EVENT_AT }), false);
  assert.equal(endedWithEveryOther({}, {}), false, 'nothing ended yet');
});

test('an end that came late spares a sign-in made at Mamori in a later second, not one made before', () => {
  const marks = everyEnded({}, EVENT_AT);
  assert.equal(endedWithEveryOther(marks, { ended_all_seen: 0, authenticated_at: EVENT_AT + 1 }), false);
  assert.equal(endedWithEveryOther(marks, { ended_all_seen: 0, authenticated_at: EVENT_AT - 1 }), true);
});

test('a second end reaches a sign-in that outlived the first', () => {
  const first = everyEnded({}, EVENT_AT);
  const between = { ended_all_seen: 1, authenticated_at: EVENT_AT + 10 };
  assert.equal(endedWithEveryOther(first, between), false);
  assert.equal(endedWithEveryOther(everyEnded(first, EVENT_AT + 20), between), true);
});
