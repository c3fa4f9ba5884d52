import type { Selectable } from 'kysely';
import type { ChangeRecord, ChangeValue } from '../core/change-kinds.ts';
import { bulkRows, type BulkColumns, type BulkRows } from './bulk-insert.ts';
import type { Executor } from './database.ts';
import type { AccountLogTable } from './schema.ts';

export type AccountLogRow = Selectable<AccountLogTable>;

export function toChangeRecord(row: AccountLogRow): ChangeRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    seq: Number(row.seq),
    kind: row.kind as ChangeRecord['kind'],
    subjectId: row.subject_id,
    before: row.before_value ? (JSON.parse(row.before_value) as ChangeValue) : null,
    after: row.after_value ? (JSON.parse(row.after_value) as ChangeValue) : null,
    actor: {
      type: row.actor_type as ChangeRecord['actor']['type'],
      sessionId: row.actor_session_id,
      deviceId: row.actor_device_id,
      device: row.actor_device,
      ip: row.actor_ip,
      area: row.actor_area,
    },
    occurredAt: row.occurred_at,
  };
}

/**
 * Reserves the next sequence number. The UPDATE locks the account row until the transaction ends, so
 * two appends to one account are serialised on PostgreSQL as they are on SQLite.
 */
export async function reserveLogSlots(
  db: Executor,
  accountId: string,
  count: number,
): Promise<{ firstSeq: number; previousHash: string }> {
  const row = await db
    .updateTable('accounts')
    .set((eb) => ({ log_seq: eb('log_seq', '+', count) }))
    .where('id', '=', accountId)
    .returning(['log_seq', 'log_head'])
    .executeTakeFirstOrThrow();
  return { firstSeq: Number(row.log_seq) - count + 1, previousHash: row.log_head };
}

type ChainedEntry = { record: ChangeRecord; previousHash: string; hash: string };

const logRow = ({ record, previousHash, hash }: ChainedEntry) => ({
  id: record.id,
  account_id: record.accountId,
  seq: record.seq,
  kind: record.kind,
  subject_id: record.subjectId,
  before_value: record.before ? JSON.stringify(record.before) : null,
  after_value: record.after ? JSON.stringify(record.after) : null,
  actor_type: record.actor.type,
  actor_session_id: record.actor.sessionId,
  actor_device_id: record.actor.deviceId,
  actor_device: record.actor.device,
  actor_ip: record.actor.ip,
  actor_area: record.actor.area,
  occurred_at: record.occurredAt,
  previous_hash: previousHash,
  hash,
});

/**
 * The first entries of accounts made in the same statement batch (an import): the caller inserted each
 * account with its head already on its entry, so no head is moved here.
 */
export function firstLogEntryRows(entries: readonly ChainedEntry[]): BulkRows {
  return bulkRows('account_log', LOG_COLUMNS, entries.map(logRow));
}

const LOG_COLUMNS: BulkColumns<'account_log'> = {
  id: 'text',
  account_id: 'text',
  seq: 'integer',
  kind: 'text',
  subject_id: 'text',
  before_value: 'text',
  after_value: 'text',
  actor_type: 'text',
  actor_session_id: 'text',
  actor_device_id: 'text',
  actor_device: 'text',
  actor_ip: 'text',
  actor_area: 'text',
  occurred_at: 'text',
  previous_hash: 'text',
  hash: 'text',
};

/** Writes entries already chained by the caller, in one statement, and moves the head to the last one. */
export async function appendLogEntries(
  db: Executor,
  entries: { record: ChangeRecord; previousHash: string; hash: string }[],
): Promise<void> {
  const last = entries.at(-1);
  if (!last) return;
  await db.insertInto('account_log').values(entries.map(logRow)).execute();
  await db.updateTable('accounts').set({ log_head: last.hash }).where('id', '=', last.record.accountId).execute();
}

export function listLogSince(db: Executor, accountId: string, since: string): Promise<AccountLogRow[]> {
  return db
    .selectFrom('account_log')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('occurred_at', '>=', since)
    .orderBy('seq')
    .execute();
}

export function listChangesOfKindSince(
  db: Executor,
  accountId: string,
  kind: string,
  since: string,
): Promise<AccountLogRow[]> {
  return db
    .selectFrom('account_log')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('kind', '=', kind)
    .where('occurred_at', '>=', since)
    .orderBy('seq')
    .execute();
}

export function listWholeLog(db: Executor, accountId: string): Promise<AccountLogRow[]> {
  return db.selectFrom('account_log').selectAll().where('account_id', '=', accountId).orderBy('seq').execute();
}

export function findLogEntry(db: Executor, id: string): Promise<AccountLogRow | undefined> {
  return db.selectFrom('account_log').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listAccountIdsWithLog(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('account_log').select('account_id').distinct().orderBy('account_id').execute();
  return rows.map((r) => r.account_id);
}

/** Every staff action across all accounts, newest first: what an admin reviews (STANDARDS I4). */
export function listStaffActions(db: Executor, limit: number) {
  return db
    .selectFrom('account_log')
    .innerJoin('accounts', 'accounts.id', 'account_log.account_id')
    .selectAll('account_log')
    .select('accounts.email')
    .where('account_log.actor_type', '=', 'staff')
    .orderBy('account_log.occurred_at', 'desc')
    .limit(limit)
    .execute();
}

/** The entry for one subject of one kind (a shop's order), if the account has one. */
export function findLogEntryForSubject(
  db: Executor,
  accountId: string,
  kind: string,
  subjectId: string,
): Promise<AccountLogRow | undefined> {
  return db
    .selectFrom('account_log')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .executeTakeFirst();
}

/** Every entry of these kinds, oldest first. */
export function listChangesOfKinds(
  db: Executor,
  accountId: string,
  kinds: readonly string[],
): Promise<AccountLogRow[]> {
  return db
    .selectFrom('account_log')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('kind', 'in', kinds)
    .orderBy('seq')
    .execute();
}
