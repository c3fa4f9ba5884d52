import { createHash } from 'node:crypto';
import { canonicalEntry, findChainBreak, type ChainBreak } from '../../core/account-log.ts';
import type { ChangeActor, ChangeKind, ChangeRecord, ChangeValue } from '../../core/change-kinds.ts';
import type { OriginModel } from '../../core/mail-messages.ts';
import {
  appendLogEntries,
  listAccountIdsWithLog,
  listWholeLog,
  reserveLogSlots,
  toChangeRecord,
} from '../../store/account-log.ts';
import type { Executor } from '../../store/database.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { eventsForChange } from '../../core/ssf/change-events.ts';
import { queueSecurityEvents } from '../ssf/security-events.ts';
import { describeArea, describeDevice } from '../../platform/device.ts';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function actorFrom(origin: RequestOrigin, type: ChangeActor['type'] = 'customer'): ChangeActor {
  return {
    type,
    sessionId: origin.sessionId ?? null,
    deviceId: origin.deviceId ?? null,
    device: describeDevice(origin.userAgent),
    ip: origin.ip,
    area: describeArea(origin.ip, origin.country),
  };
}

/** Where a sign-in or change came from, as a notice shows it. */
export function originModel(origin: RequestOrigin, at: Date): OriginModel {
  return {
    device: describeDevice(origin.userAgent),
    ip: origin.ip,
    area: describeArea(origin.ip, origin.country),
    occurredAt: at.toISOString(),
  };
}

export const SYSTEM_ACTOR: ChangeActor = {
  type: 'system',
  sessionId: null,
  deviceId: null,
  device: 'Mamori',
  ip: '-',
  area: null,
};

export interface ChangeInput {
  accountId: string;
  kind: ChangeKind;
  actor: ChangeActor;
  subjectId?: string | null;
  before?: ChangeValue | null;
  after?: ChangeValue | null;
}

/** Appends one entry to the account's hash-chained log, inside the caller's transaction. */
export async function recordChange(trx: Executor, deps: ServiceDeps, input: ChangeInput): Promise<ChangeRecord> {
  const [record] = await recordChanges(trx, deps, input.accountId, [input]);
  if (!record) throw new Error('no change recorded');
  return record;
}

/**
 * Appends several entries to one account's log at once: one slot reservation (which locks the account
 * row), the chain computed here, one insert. Containment writes dozens of entries this way.
 */
export async function recordChanges(
  trx: Executor,
  deps: ServiceDeps,
  accountId: string,
  inputs: readonly ChangeInput[],
  /** The incident that caused these changes: every event they send carries it as `txn`. */
  txn?: string,
): Promise<ChangeRecord[]> {
  if (inputs.length === 0) return [];
  const { firstSeq, previousHash: head } = await reserveLogSlots(trx, accountId, inputs.length);
  const occurredAt = deps.clock.now().toISOString();
  let previousHash = head;
  const entries = inputs.map((input, i) => {
    const record: ChangeRecord = {
      id: deps.random.id(),
      accountId,
      seq: firstSeq + i,
      kind: input.kind,
      subjectId: input.subjectId ?? null,
      before: input.before ?? null,
      after: input.after ?? null,
      actor: input.actor,
      occurredAt,
    };
    const entry = { record, previousHash, hash: sha256Hex(canonicalEntry(record, previousHash)) };
    previousHash = entry.hash;
    return entry;
  });
  await appendLogEntries(trx, entries);
  const records = entries.map((e) => e.record);
  // The shops hear of it in the same transaction (Shared Signals), or not at all if this rolls back.
  await queueSecurityEvents(
    trx,
    deps,
    records.flatMap(eventsForChange).map((e) => ({ ...e, txn: e.txn ?? txn })),
  );
  return records;
}

export interface LogVerification {
  accounts: number;
  entries: number;
  broken: (ChainBreak & { accountId: string })[];
}

/** Checks every account's chain; names the first broken entry of each broken chain. */
export async function verifyAccountLogs(
  db: Executor,
  onProgress?: (done: number, total: number) => void,
): Promise<LogVerification> {
  const accountIds = await listAccountIdsWithLog(db);
  const result: LogVerification = { accounts: accountIds.length, entries: 0, broken: [] };
  for (const [index, accountId] of accountIds.entries()) {
    const rows = await listWholeLog(db, accountId);
    result.entries += rows.length;
    const chainBreak = findChainBreak(
      rows.map((row) => ({ record: toChangeRecord(row), previousHash: row.previous_hash, hash: row.hash })),
      sha256Hex,
    );
    if (chainBreak) result.broken.push({ ...chainBreak, accountId });
    onProgress?.(index + 1, accountIds.length);
  }
  return result;
}
