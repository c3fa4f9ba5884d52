import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daysBetween, percentile, summarize } from '../../src/core/support/stats.ts';

test('median and 90th percentile by nearest rank; nothing to summarize is null, not zero', () => {
  assert.deepEqual(summarize([]), { count: 0, median: null, p90: null });
  assert.deepEqual(summarize([5]), { count: 1, median: 5, p90: 5 });
  assert.deepEqual(summarize([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]), { count: 10, median: 5, p90: 9 });
  assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
});

test('days of a period in UTC, the end excluded', () => {
  assert.deepEqual(daysBetween(new Date('2026-03-01T23:00:00Z'), new Date('2026-03-04T00:00:00Z')), [
    '2026-03-01',
    '2026-03-02',
    '2026-03-03',
  ]);
  assert.deepEqual(daysBetween(new Date('2026-03-01T00:00:00Z'), new Date('2026-03-01T00:00:00Z')), []);
});
