import type { ChangeRecord } from './change-kinds.ts';

/**
 * The account log is hash-chained: each entry's hash covers its content and the previous entry's hash,
 * so removing, reordering or editing an entry breaks every hash after it.
 */
export const GENESIS_HASH = '0'.repeat(64);

/** The exact text hashed for an entry: fixed field order, so the hash never depends on key order. */
export function canonicalEntry(entry: ChangeRecord, previousHash: string): string {
  return JSON.stringify([
    previousHash,
    entry.id,
    entry.accountId,
    entry.seq,
    entry.kind,
    entry.subjectId,
    entry.before,
    entry.after,
    [
      entry.actor.type,
      entry.actor.sessionId,
      entry.actor.deviceId,
      entry.actor.device,
      entry.actor.ip,
      entry.actor.area,
    ],
    entry.occurredAt,
  ]);
}

export interface ChainBreak {
  seq: number;
  id: string;
  reason: 'hash-mismatch' | 'previous-hash-mismatch' | 'sequence-gap';
}

/** Checks one account's entries in sequence order; returns the first entry that breaks the chain. */
export function findChainBreak(
  entries: { record: ChangeRecord; previousHash: string; hash: string }[],
  sha256: (text: string) => string,
): ChainBreak | null {
  let expectedPrevious = GENESIS_HASH;
  let expectedSeq = 1;
  for (const { record, previousHash, hash } of entries) {
    if (record.seq !== expectedSeq) return { seq: record.seq, id: record.id, reason: 'sequence-gap' };
    if (previousHash !== expectedPrevious) return { seq: record.seq, id: record.id, reason: 'previous-hash-mismatch' };
    if (sha256(canonicalEntry(record, previousHash)) !== hash)
      return { seq: record.seq, id: record.id, reason: 'hash-mismatch' };
    expectedPrevious = hash;
    expectedSeq += 1;
  }
  return null;
}
