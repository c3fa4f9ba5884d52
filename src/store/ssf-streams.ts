import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from './database.ts';
import { SSF_CHANNEL } from './outbox.ts';
import type { SsfStreamsTable } from './schema.ts';

export type SsfStreamRow = Selectable<SsfStreamsTable>;

export async function insertSsfStream(db: Executor, row: Insertable<SsfStreamsTable>): Promise<void> {
  await db.insertInto('ssf_streams').values(row).execute();
}

export function findSsfStreamOfClient(db: Executor, clientId: string): Promise<SsfStreamRow | undefined> {
  return db.selectFrom('ssf_streams').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

export function findSsfStream(db: Executor, id: string): Promise<SsfStreamRow | undefined> {
  return db.selectFrom('ssf_streams').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface ReceivingStream extends SsfStreamRow {
  first_party: number | null;
  /** Set when the account signed in to this stream's shop. */
  customer_email_granted: number | null;
  /** Set when the shop took the account out of its stream. */
  removed_at: string | null;
}

/**
 * The streams events are queued for (a paused stream keeps its events; a disabled one gets none), each
 * with what its shop is to the account the events are about: one statement for a whole fan-out.
 */
export function listReceivingSsfStreams(db: Executor, accountId: string | null): Promise<ReceivingStream[]> {
  const account = accountId ?? '';
  return db
    .selectFrom('ssf_streams as s')
    .leftJoin('oidc_clients as c', 'c.client_id', 's.client_id')
    .leftJoin('shop_customers as sc', (join) =>
      join.onRef('sc.client_id', '=', 's.client_id').on('sc.account_id', '=', account),
    )
    .leftJoin('ssf_removed_subjects as r', (join) =>
      join.onRef('r.stream_id', '=', 's.id').on('r.account_id', '=', account),
    )
    .selectAll('s')
    .select(['c.first_party', 'sc.email_granted as customer_email_granted', 'r.removed_at'])
    .where('s.status', 'in', ['enabled', 'paused'])
    .execute();
}

/** A receiver takes a subject out of its stream, or puts it back (SSF 1.0 §8.1.3.2–3). */
export async function removeStreamSubject(db: Executor, streamId: string, accountId: string, at: string) {
  await db
    .insertInto('ssf_removed_subjects')
    .values({ stream_id: streamId, account_id: accountId, removed_at: at })
    .onConflict((oc) => oc.columns(['stream_id', 'account_id']).doNothing())
    .execute();
}

export async function addStreamSubject(db: Executor, streamId: string, accountId: string) {
  await db
    .deleteFrom('ssf_removed_subjects')
    .where('stream_id', '=', streamId)
    .where('account_id', '=', accountId)
    .execute();
}

export function listSsfStreams(db: Executor): Promise<SsfStreamRow[]> {
  return db.selectFrom('ssf_streams').selectAll().orderBy('created_at').execute();
}

export async function updateSsfStream(db: Executor, id: string, changes: Updateable<SsfStreamsTable>): Promise<void> {
  await db.updateTable('ssf_streams').set(changes).where('id', '=', id).execute();
}

export async function deleteSsfStream(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('ssf_removed_subjects').where('stream_id', '=', id).execute();
  await db.deleteFrom('outbox').where('channel', '=', SSF_CHANNEL).where('recipient', '=', id).execute();
  await db.deleteFrom('ssf_streams').where('id', '=', id).execute();
}

/** A disabled stream's undelivered events are dropped: SSF 1.0 §8.1.2 says it gets none. */
export async function dropWaitingStreamEvents(db: Executor, streamId: string): Promise<void> {
  await db
    .deleteFrom('outbox')
    .where('channel', '=', SSF_CHANNEL)
    .where('recipient', '=', streamId)
    .where('status', 'in', ['queued', 'paused', 'awaiting-poll'])
    .execute();
}

/** A paused stream's events wait as `paused`; enabling it again makes them due (pushed) or pollable at once. */
export async function setStreamEventsWaiting(
  db: Executor,
  streamId: string,
  paused: boolean,
  now: string,
  resumeAs: 'queued' | 'awaiting-poll',
): Promise<void> {
  await db
    .updateTable('outbox')
    .set(paused ? { status: 'paused' } : { status: resumeAs, next_attempt_at: now })
    .where('channel', '=', SSF_CHANNEL)
    .where('recipient', '=', streamId)
    .where('status', 'in', paused ? ['queued', 'awaiting-poll'] : ['paused'])
    .execute();
}

/**
 * A stream moved between push and poll: what waited to be pushed is now there to poll, or what waited to
 * be polled is due to be pushed at once (a paused stream's events stay paused).
 */
export async function moveWaitingStreamEvents(
  db: Executor,
  streamId: string,
  to: 'queued' | 'awaiting-poll',
  now: string,
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: to, next_attempt_at: now, attempts: 0, locked_until: null })
    .where('channel', '=', SSF_CHANNEL)
    .where('recipient', '=', streamId)
    .where('status', '=', to === 'queued' ? 'awaiting-poll' : 'queued')
    .execute();
}

/** Poll delivery (RFC 8936): the stream's events not yet acknowledged, oldest first. */
export function listPollableEvents(db: Executor, streamId: string, limit: number) {
  return db
    .selectFrom('outbox')
    .select(['id', 'model'])
    .where('channel', '=', SSF_CHANNEL)
    .where('recipient', '=', streamId)
    .where('status', '=', 'awaiting-poll')
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Acknowledged (or reported in error, RFC 8936 `setErrs`) polled events are done; other ids are ignored. */
export async function settlePolledEvents(
  db: Executor,
  streamId: string,
  jtis: readonly string[],
  at: string,
  errors: ReadonlyMap<string, string>,
): Promise<void> {
  for (const jti of jtis) {
    const error = errors.get(jti);
    await db
      .updateTable('outbox')
      .set(error ? { status: 'abandoned', last_error: error.slice(0, 300) } : { status: 'sent', sent_at: at })
      .where('channel', '=', SSF_CHANNEL)
      .where('recipient', '=', streamId)
      .where('id', '=', jti)
      .where('status', '=', 'awaiting-poll')
      .execute();
  }
}

/** Sealed push Authorization headers a page at a time, for `mamori keys rotate`. */
export async function streamAuthorizationsAfter(db: Executor, afterId: string, limit: number) {
  const rows = await db
    .selectFrom('ssf_streams')
    .select(['id', 'authorization_sealed'])
    .where('id', '>', afterId)
    .where('authorization_sealed', 'is not', null)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: row.id, secret: row.authorization_sealed ?? '' }));
}

/** Swaps a sealed header only if it is still the one read (a server may have changed the stream meanwhile). */
export async function replaceStreamAuthorization(db: Executor, id: string, from: string, to: string) {
  const result = await db
    .updateTable('ssf_streams')
    .set({ authorization_sealed: to })
    .where('id', '=', id)
    .where('authorization_sealed', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Per stream and delivery status: how many events, and since when the oldest has waited. */
export function streamEventCounts(db: Executor) {
  return db
    .selectFrom('outbox')
    .select((eb) => [
      'recipient',
      'status',
      eb.fn.countAll<number>().as('events'),
      eb.fn.min('created_at').as('oldest'),
    ])
    .where('channel', '=', SSF_CHANNEL)
    .groupBy(['recipient', 'status'])
    .execute();
}
