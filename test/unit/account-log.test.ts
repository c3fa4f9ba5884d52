import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { canonicalEntry, findChainBreak, GENESIS_HASH } from '../../src/core/account-log.ts';
import type { ChangeRecord } from '../../src/core/change-kinds.ts';

const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const actor = { type: 'customer' as const, sessionId: 's', deviceId: 'd', device: 'x', ip: '127.0.0.1', area: null };

function chain(n: number) {
  let previous = GENESIS_HASH;
  return Array.from({ length: n }, (_, i) => {
    const record: ChangeRecord = {
      id: `e${i + 1}`,
      accountId: 'a',
      seq: i + 1,
      kind: 'name-changed',
      subjectId: null,
      before: { name: `n${i}` },
      after: { name: `n${i + 1}` },
      actor,
      occurredAt: `2026-03-02T0${i}:00:00.000Z`,
    };
    const entry = { record, previousHash: previous, hash: sha(canonicalEntry(record, previous)) };
    previous = entry.hash;
    return entry;
  });
}

test('an intact chain verifies', () => {
  assert.equal(findChainBreak(chain(5), sha), null);
});

test('editing, removing or reordering an entry names the first broken one', () => {
  const edited = chain(5);
  edited[2] = { ...edited[2]!, record: { ...edited[2]!.record, after: { name: 'forged' } } };
  assert.deepEqual(findChainBreak(edited, sha), { seq: 3, id: 'e3', reason: 'hash-mismatch' });
  const removed = chain(5).filter((e) => e.record.seq !== 2);
  assert.deepEqual(findChainBreak(removed, sha), { seq: 3, id: 'e3', reason: 'sequence-gap' });
  const rehashed = chain(5);
  rehashed[1] = { ...rehashed[1]!, hash: sha('anything') };
  assert.deepEqual(findChainBreak(rehashed, sha), { seq: 2, id: 'e2', reason: 'hash-mismatch' });
});
