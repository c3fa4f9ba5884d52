import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { failureBudget } from '../../src/services/rate-limits/failure-budget.ts';
import { groupCommit, type Commit } from '../../src/store/group-commit.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';

const LIMIT = 3;
const WINDOW_MS = 60_000;

/** The budget behind the client-authentication throttle, counted for several keys in one statement. */
forEachStore('failure budget', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store);
  });
  afterEach(async () => {
    await m.close();
  });

  test('a burst of wrong guesses sent side by side: only the budget of them is judged', async () => {
    const budget = failureBudget(m.deps, LIMIT, WINDOW_MS);
    const attempts = await Promise.all(Array.from({ length: 10 }, () => budget(['client:a', 'ip:1'])));
    assert.equal(attempts.filter((a) => a.retryAfterMs === null).length, LIMIT);
    assert.ok(attempts.every((a) => a.retryAfterMs === null || a.retryAfterMs === WINDOW_MS));
    const another = await budget(['client:b', 'ip:1']);
    assert.notEqual(another.retryAfterMs, null, 'the address spent its budget, whatever the client');
    m.clock.advance(WINDOW_MS);
    assert.equal((await budget(['client:a', 'ip:1'])).retryAfterMs, null, 'a new window');
  });

  test('right attempts give back what they counted, for every key, and never spend the budget', async () => {
    const budget = failureBudget(m.deps, LIMIT, WINDOW_MS);
    for (let i = 0; i < LIMIT * 3; i += 1) {
      const attempt = await budget(['client:a', 'ip:1']);
      assert.equal(attempt.retryAfterMs, null, `right attempt ${i + 1}`);
      await attempt.succeeded();
    }
    const left = await m.deps.db.selectFrom('rate_limits').select(['key', 'hits']).orderBy('key').execute();
    assert.deepEqual(
      left.map((row) => [row.key, Number(row.hits)]),
      [
        ['client:a', 0],
        ['ip:1', 0],
      ],
    );
  });

  test('a key named twice in one attempt is counted once', async () => {
    const budget = failureBudget(m.deps, LIMIT, WINDOW_MS);
    for (let i = 0; i < LIMIT; i += 1) assert.equal((await budget(['ip:2', 'ip:2'])).retryAfterMs, null);
    assert.notEqual((await budget(['ip:2'])).retryAfterMs, null);
  });

  test('counted through a group commit (as the provider does): a burst shares commits, judged one by one', async () => {
    const group = groupCommit(m.deps.db);
    let writes = 0;
    const commit: Commit = (write) => {
      writes += 1;
      return group(write);
    };
    const budget = failureBudget(m.deps, LIMIT, WINDOW_MS, commit);
    const attempts = await Promise.all(Array.from({ length: 10 }, () => budget(['client:a', 'ip:1'])));
    const judged = attempts.filter((a) => a.retryAfterMs === null);
    assert.equal(judged.length, LIMIT);
    assert.equal(
      writes,
      10 + (10 - LIMIT),
      'every count, and the refused attempts giving theirs back, went through it',
    );
    await Promise.all(judged.map((a) => a.succeeded()));
    const left = await m.deps.db.selectFrom('rate_limits').select(['key', 'hits']).orderBy('key').execute();
    assert.deepEqual(
      left.map((row) => [row.key, Number(row.hits)]),
      [
        ['client:a', 0],
        ['ip:1', 0],
      ],
    );
  });
});
