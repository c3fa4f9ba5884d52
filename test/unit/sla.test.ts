import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caseClocks, compareUrgency, nextDeadline, type CaseTimes } from '../../src/core/support/sla.ts';

const MIN = 60_000;
const targets = { firstResponseMs: 60 * MIN, containmentMs: 15 * MIN, recoveryMs: 24 * 60 * MIN };
const opened = new Date('2026-03-02T05:00:00.000Z');
const at = (minutes: number) => new Date(opened.getTime() + minutes * MIN);
const base: CaseTimes = {
  kind: 'incident',
  openedAt: opened,
  firstResponseAt: null,
  containedAt: null,
  recoveredAt: null,
  closedAt: null,
};

test('an incident runs three clocks; a message or call-back only the first-response clock', () => {
  assert.deepEqual(
    caseClocks(base, targets, at(10)).map((c) => [c.kind, c.remainingMs / MIN, c.breached]),
    [
      ['first-response', 50, false],
      ['containment', 5, false],
      ['recovery', 1430, false],
    ],
  );
  assert.deepEqual(
    caseClocks({ ...base, kind: 'callback' }, targets, at(10)).map((c) => c.kind),
    ['first-response'],
  );
  assert.deepEqual(
    caseClocks({ ...base, selfServed: true }, targets, at(10)).map((c) => c.kind),
    ['containment', 'recovery'],
    "the customer's own click was answered by the containment",
  );
});

test('a clock stops when its thing happens and keeps the time it had left; a late one stays breached', () => {
  const clocks = caseClocks({ ...base, containedAt: at(1), firstResponseAt: at(70) }, targets, at(200));
  const [first, containment] = clocks;
  assert.equal(containment?.remainingMs, 14 * MIN);
  assert.equal(containment?.breached, false);
  assert.equal(first?.remainingMs, -10 * MIN);
  assert.equal(first?.breached, true);
  assert.equal(nextDeadline(clocks)?.kind, 'recovery');
});

test('closing stops every clock; the queue puts the closest to breaching first and stopped cases last', () => {
  const closed = caseClocks({ ...base, closedAt: at(5) }, targets, at(100));
  assert.equal(nextDeadline(closed), null);
  const urgent = { next: nextDeadline(caseClocks(base, targets, at(14))), openedAt: opened };
  const later = { next: nextDeadline(caseClocks({ ...base, kind: 'message' }, targets, at(14))), openedAt: opened };
  const breached = {
    next: nextDeadline(caseClocks({ ...base, kind: 'message', openedAt: at(-120) }, targets, at(14))),
    openedAt: at(-120),
  };
  const done = { next: null, openedAt: at(-500) };
  const order = [later, done, urgent, breached].sort(compareUrgency);
  assert.deepEqual(order, [breached, urgent, later, done]);
});
