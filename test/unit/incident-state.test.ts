import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  effectiveState,
  IllegalTransition,
  INCIDENT_EVENTS,
  INCIDENT_STATES,
  nextState,
  TRANSITIONS,
} from '../../src/core/incident/state.ts';

test('every transition in the table is taken, and every other pair is refused', () => {
  let allowed = 0;
  for (const from of INCIDENT_STATES) {
    for (const event of INCIDENT_EVENTS) {
      const to = TRANSITIONS[from][event];
      if (to) {
        assert.equal(nextState(from, event), to);
        allowed += 1;
      } else {
        assert.throws(() => nextState(from, event), IllegalTransition, `${from} --${event}--> must be refused`);
      }
    }
  }
  assert.equal(allowed, 12);
});

test('the story path: reported → contained → waiting → recovery-open → recovered → closed', () => {
  let state = nextState('reported', 'contain');
  state = nextState(state, 'start-wait');
  state = nextState(state, 'wait-elapsed');
  state = nextState(state, 'recover');
  assert.equal(nextState(state, 'close'), 'closed');
});

test('an objection sends the incident to a person, who resolves it either way', () => {
  assert.equal(nextState('waiting', 'object'), 'disputed');
  assert.equal(nextState('disputed', 'resolve-for-owner'), 'recovery-open');
  assert.equal(nextState('disputed', 'resolve-against-owner'), 'dismissed');
  assert.throws(
    () => nextState('disputed', 'wait-elapsed'),
    IllegalTransition,
    'a disputed incident never opens by the clock',
  );
});

test("a report that may not be the owner's goes to a person at once: no wait can run out for it", () => {
  assert.equal(nextState('contained', 'refer'), 'disputed');
  assert.throws(() => nextState('disputed', 'wait-elapsed'), IllegalTransition);
});

test('closed and dismissed are final', () => {
  for (const event of INCIDENT_EVENTS) {
    assert.throws(() => nextState('closed', event));
    assert.throws(() => nextState('dismissed', event));
  }
});

test('a wait that has run out reads as recovery-open before the worker writes it', () => {
  const until = new Date('2026-03-02T10:46:00Z');
  assert.equal(effectiveState('waiting', until, new Date('2026-03-02T10:45:59Z')), 'waiting');
  assert.equal(effectiveState('waiting', until, until), 'recovery-open');
  assert.equal(effectiveState('disputed', until, new Date('2026-03-03T00:00:00Z')), 'disputed');
});
