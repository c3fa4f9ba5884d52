import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { checkedFirstFailureBudget } from '../../src/services/rate-limits/failure-budget.ts';
import { groupCommit, type Commit } from '../../src/store/group-commit.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';

const LIMIT = 3;
const WINDOW_MS = 60_000;

/** The budget behind the client-authentication throttle, read for several keys in one statement. */
forEachStore('failure budget', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store);
  });
  afterEach(async () => {
    await m.close();
  });

  const liveRows = () =>
    m.deps.db
      .selectFrom('rate_limits')
      .select(['key', 'hits'])
      .where('expires_at', '>', m.clock.now().toISOString())
      .orderBy('key')
      .execute();

  test('wrong attempts one after another: the budget of them is judged, then every key is refused until the window ends', async () => {
    const budget = checkedFirstFailureBudget(m.deps, LIMIT, WINDOW_MS);
    for (let i = 0; i < LIMIT; i += 1) {
      const attempt = await budget(['client:a', 'ip:1']);
      assert.equal(attempt.retryAfterMs, null, `wrong attempt ${i + 1} is judged`);
      await attempt.failed();
    }
    assert.equal((await budget(['client:a', 'ip:2'])).retryAfterMs, WINDOW_MS, 'the client spent its budget');
    assert.equal((await budget(['client:b', 'ip:1'])).retryAfterMs, WINDOW_MS, 'the address spent its budget');
    assert.equal((await budget(['client:b', 'ip:2'])).retryAfterMs, null, 'other keys are untouched');
    m.clock.advance(WINDOW_MS / 2);
    assert.equal((await budget(['client:a'])).retryAfterMs, WINDOW_MS / 2, 'refused until the window ends');
    m.clock.advance(WINDOW_MS / 2);
    assert.equal((await budget(['client:a', 'ip:1'])).retryAfterMs, null, 'a new window');
  });

  test('right attempts and refused ones write nothing: a busy client never spends its budget', async () => {
    const budget = checkedFirstFailureBudget(m.deps, LIMIT, WINDOW_MS);
    for (let i = 0; i < LIMIT * 3; i += 1) assert.equal((await budget(['client:a', 'ip:1'])).retryAfterMs, null);
    assert.deepEqual(await liveRows(), []);
    for (let i = 0; i < LIMIT; i += 1) await (await budget(['client:c', 'ip:9'])).failed();
    for (let i = 0; i < 5; i += 1) assert.notEqual((await budget(['client:c', 'ip:9'])).retryAfterMs, null);
    assert.deepEqual(
      (await liveRows()).map((row) => [row.key, Number(row.hits)]),
      [
        ['client:c', LIMIT],
        ['ip:9', LIMIT],
      ],
      'refused attempts are not judged, so they count nothing',
    );
  });

  test('a burst of wrong guesses in flight together: past the limit by at most the burst, then refused', async () => {
    const budget = checkedFirstFailureBudget(m.deps, LIMIT, WINDOW_MS);
    const burst = 10;
    const attempts = await Promise.all(Array.from({ length: burst }, () => budget(['client:a', 'ip:1'])));
    const judged = attempts.filter((a) => a.retryAfterMs === null);
    assert.ok(judged.length <= burst);
    await Promise.all(judged.map((a) => a.failed()));
    const [client] = await liveRows();
    assert.equal(Number(client?.hits), judged.length, 'every judged wrong guess was counted');
    assert.notEqual((await budget(['client:a'])).retryAfterMs, null, 'nothing more is judged in this window');
  });

  test('judged from counts another statement read: the same refusal, and a wrong attempt is still counted', async () => {
    const budget = checkedFirstFailureBudget(m.deps, LIMIT, WINDOW_MS);
    const now = m.clock.now();
    const ends = new Date(now.getTime() + WINDOW_MS / 2).toISOString();
    const spent = budget.judged(['client:a', 'ip:1'], [{ hits: LIMIT, expiresAt: ends }], now);
    assert.equal(spent.retryAfterMs, WINDOW_MS / 2);
    const within = budget.judged(['client:a', 'ip:1'], [{ hits: LIMIT - 1, expiresAt: ends }], now);
    assert.equal(within.retryAfterMs, null);
    await within.failed();
    assert.deepEqual(
      (await liveRows()).map((row) => [row.key, Number(row.hits)]),
      [
        ['client:a', 1],
        ['ip:1', 1],
      ],
    );
  });

  test('a key named twice in one attempt is counted once', async () => {
    const budget = checkedFirstFailureBudget(m.deps, LIMIT, WINDOW_MS);
    for (let i = 0; i < LIMIT; i += 1) {
      const attempt = await budget(['ip:2', 'ip:2']);
      assert.equal(attempt.retryAfterMs, null);
      await attempt.failed();
    }
    assert.notEqual((await budget(['ip:2'])).retryAfterMs, null);
  });

  test('counted through a group commit (as the provider does): wrong attempts share commits, each counted', async () => {
    const group = groupCommit(m.deps.db);
    let writes = 0;
    const commit: Commit = (write) => {
      writes += 1;
      return group(write);
    };
    const budget = checkedFirstFailureBudget(m.deps, LIMIT, WINDOW_MS, commit);
    const attempts = await Promise.all(Array.from({ length: 2 }, () => budget(['client:a', 'ip:1'])));
    assert.equal(writes, 0, 'reading the budget writes nothing');
    await Promise.all(attempts.map((a) => a.failed()));
    assert.equal(writes, 2);
    assert.deepEqual(
      (await liveRows()).map((row) => [row.key, Number(row.hits)]),
      [
        ['client:a', 2],
        ['ip:1', 2],
      ],
    );
  });
});
