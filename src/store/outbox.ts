import type { ExpressionBuilder, Insertable, Selectable } from 'kysely';
import { z } from 'zod';
import type { LogoutOrder } from '../core/oidc/logout-token.ts';
import type { Executor } from './database.ts';
import type { Database, DeliveryAttemptsTable, DevMailboxTable, OutboxTable } from './schema.ts';

export type OutboxRow = Selectable<OutboxTable>;

export const MAIL_CHANNEL = 'email';

/** The outbox channel of security events (Shared Signals); a row's recipient is its stream's id. */
export const SSF_CHANNEL = 'ssf';
export type DevMailRow = Selectable<DevMailboxTable>;

/** A message as its sender queues it; the delivery bookkeeping (attempts, due, queued at) is filled here. */
export type QueuedMessage = Omit<Insertable<OutboxTable>, 'status' | 'attempts' | 'next_attempt_at' | 'created_at'> & {
  /** `queued` (due now) unless the channel keeps it back: `paused`, or `awaiting-poll`. */
  status?: string;
};

/** Queued at `at`, due then or at `dueAt` (a notice that waits to be mailed with others). */
export async function insertOutboxRow(db: Executor, message: QueuedMessage, at: string, dueAt = at): Promise<void> {
  await db
    .insertInto('outbox')
    .values({ status: 'queued', ...message, attempts: 0, next_attempt_at: dueAt, created_at: at })
    .execute();
}

/** Mail of one template about one account to one address: the messages that may be mailed together. */
export interface MailGroup {
  accountId: string;
  recipient: string;
  template: string;
}

const inGroup = (group: MailGroup) => (eb: ExpressionBuilder<Database, 'outbox'>) =>
  eb.and([
    eb('account_id', '=', group.accountId),
    eb('channel', '=', MAIL_CHANNEL),
    eb('template', '=', group.template),
    eb('recipient', '=', group.recipient),
  ]);

/** The group's message queued since `since` that is due last: whether it still waits, and until when. */
export function latestInMailGroup(
  db: Executor,
  group: MailGroup,
  since: string,
): Promise<Pick<OutboxRow, 'status' | 'next_attempt_at'> | undefined> {
  return db
    .selectFrom('outbox')
    .select(['status', 'next_attempt_at'])
    .where(inGroup(group))
    .where('created_at', '>', since)
    .orderBy('next_attempt_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Claims the group's other messages that are still queued, due or not, to go in the mail `leadId` is
 * sent in: one guarded UPDATE, so a message is claimed by one worker only (STYLE 7), and one queued
 * while this runs stays queued for the next mail. Oldest first, at most `limit`.
 */
export async function claimRestOfMailGroup(
  db: Executor,
  group: MailGroup,
  leadId: string,
  lockedUntil: string,
  limit: number,
): Promise<OutboxRow[]> {
  const rows = await db
    .updateTable('outbox')
    .set((eb) => ({ status: 'processing', locked_until: lockedUntil, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbox')
        .select('id')
        .where(inGroup(group))
        .where('status', '=', 'queued')
        .where('id', '!=', leadId)
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit),
    )
    .where('status', '=', 'queued')
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}

const isDue = (now: string) => (eb: ExpressionBuilder<Database, 'outbox'>) =>
  eb.or([
    eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
    eb.and([eb('status', '=', 'processing'), eb('locked_until', '<', now)]),
  ]);

/**
 * Mail and logout tokens due now: queued and due, or stuck in processing past their lock (a worker died
 * mid-send). Security events go stream by stream, in order (listStreamBacklog).
 */
export function listDueOutboxIds(db: Executor, now: string, limit: number): Promise<{ id: string }[]> {
  return db
    .selectFrom('outbox')
    .select('id')
    .where(isDue(now))
    .where('channel', '!=', SSF_CHANNEL)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
}

/** The streams with a security event due now. */
export async function listStreamsWithDueEvents(db: Executor, now: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('outbox')
    .select('recipient')
    .distinct()
    .where('channel', '=', SSF_CHANNEL)
    .where(isDue(now))
    .limit(limit)
    .execute();
  return rows.map((row) => row.recipient);
}

export type StreamBacklogRow = Pick<OutboxRow, 'id' | 'account_id' | 'status' | 'next_attempt_at' | 'locked_until'>;

/**
 * A stream's undelivered security events, oldest first: delivered in this order subject by subject, a
 * receiver gets each account's events as they happened (SSF: per subject, in order), and one waiting for
 * its retry holds back that account's later ones.
 */
export function listStreamBacklog(db: Executor, streamId: string, limit: number): Promise<StreamBacklogRow[]> {
  return db
    .selectFrom('outbox')
    .select(['id', 'account_id', 'status', 'next_attempt_at', 'locked_until'])
    .where('channel', '=', SSF_CHANNEL)
    .where('recipient', '=', streamId)
    .where('status', 'in', ['queued', 'processing'])
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Claims a row for one worker; the guarded UPDATE lets exactly one of several workers win. */
export function claimOutboxRow(
  db: Executor,
  id: string,
  now: string,
  lockedUntil: string,
): Promise<OutboxRow | undefined> {
  return db
    .updateTable('outbox')
    .set((eb) => ({ status: 'processing', locked_until: lockedUntil, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
        eb.and([eb('status', '=', 'processing'), eb('locked_until', '<', now)]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
}

/**
 * A mail's model holds single-use links: once delivered or abandoned it is erased (`eraseModel`) and the
 * subject is kept for the record. A logout order holds no secret and stays, so the case view can name the shop.
 */
export async function markOutboxSent(
  db: Executor,
  id: string,
  subject: string,
  at: string,
  eraseModel: boolean,
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      status: 'sent',
      sent_at: at,
      subject,
      locked_until: null,
      last_error: null,
      ...(eraseModel ? { model: null } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function markOutboxFailed(
  db: Executor,
  id: string,
  error: string,
  nextAttemptAt: string | null,
  eraseModel: boolean,
): Promise<void> {
  await db
    .updateTable('outbox')
    .set(
      nextAttemptAt
        ? { status: 'queued', next_attempt_at: nextAttemptAt, locked_until: null, last_error: error }
        : { status: 'abandoned', locked_until: null, last_error: error, ...(eraseModel ? { model: null } : {}) },
    )
    .where('id', '=', id)
    .execute();
}

export async function insertDevMail(db: Executor, row: Insertable<DevMailboxTable>): Promise<void> {
  await db
    .insertInto('dev_mailbox')
    .values(row)
    .onConflict((oc) => oc.column('outbox_id').doNothing())
    .execute();
}

export function listDevMail(db: Executor, limit: number): Promise<DevMailRow[]> {
  return db
    .selectFrom('dev_mailbox')
    .selectAll()
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export function findDevMail(db: Executor, id: string): Promise<DevMailRow | undefined> {
  return db.selectFrom('dev_mailbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** An account's outbox rows on one channel, newest first. */
function outboxOfAccount(db: Executor, accountId: string, channel: string, limit: number) {
  return db
    .selectFrom('outbox')
    .where('account_id', '=', accountId)
    .where('channel', '=', channel)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit);
}

/** What was mailed about an account (the support desk's "notices sent"); the models, holding links, are not read. */
export function listMailForAccount(db: Executor, accountId: string, limit: number) {
  return outboxOfAccount(db, accountId, MAIL_CHANNEL, limit)
    .select(['id', 'recipient', 'template', 'subject', 'status', 'attempts', 'created_at', 'sent_at'])
    .execute();
}

/** What was sent to shops about an account on one channel (logout tokens, security events), with its model. */
export function listShopDeliveriesForAccount(db: Executor, accountId: string, channel: string, limit: number) {
  return outboxOfAccount(db, accountId, channel, limit)
    .select(['id', 'recipient', 'model', 'status', 'attempts', 'last_error', 'created_at', 'sent_at'])
    .execute();
}

export function listDeliveryAttempts(db: Executor, outboxIds: readonly string[]) {
  if (outboxIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('delivery_attempts')
    .select(['outbox_id', 'attempted_at', 'ok', 'answer'])
    .where('outbox_id', 'in', outboxIds)
    .orderBy('attempted_at')
    .orderBy('id')
    .execute();
}

const logoutOrder = z.object({
  clientId: z.string(),
  sub: z.string(),
  sid: z.string().optional(),
  jti: z.string(),
});

/** The logout order kept in a back-channel row's model column. */
export function readLogoutOrder(model: string | null): LogoutOrder {
  return logoutOrder.parse(JSON.parse(model ?? 'null'));
}

export async function insertDeliveryAttempt(db: Executor, row: Insertable<DeliveryAttemptsTable>): Promise<void> {
  await db.insertInto('delivery_attempts').values(row).execute();
}

/** What waits to be delivered, by channel and status, with its oldest message (for the operator's metrics). */
export async function outboxBacklog(
  db: Executor,
): Promise<{ channel: string; status: string; count: number; oldest: string }[]> {
  const rows = await db
    .selectFrom('outbox')
    .select((eb) => [
      'channel',
      'status',
      eb.fn.countAll<number | string>().as('count'),
      eb.fn.min('created_at').as('oldest'),
    ])
    .where('status', 'in', ['queued', 'processing', 'paused', 'awaiting-poll'])
    .groupBy(['channel', 'status'])
    .execute();
  return rows.map((row) => ({
    channel: row.channel,
    status: row.status,
    count: Number(row.count),
    oldest: String(row.oldest),
  }));
}
