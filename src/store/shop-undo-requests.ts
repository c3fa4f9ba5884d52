import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { ShopUndoRequestsTable } from './schema.ts';

export type ShopUndoRequestRow = Selectable<ShopUndoRequestsTable>;

export async function insertShopUndoRequest(db: Executor, row: Insertable<ShopUndoRequestsTable>): Promise<void> {
  await db.insertInto('shop_undo_requests').values(row).execute();
}

export function findShopUndoRequest(db: Executor, id: string): Promise<ShopUndoRequestRow | undefined> {
  return db.selectFrom('shop_undo_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The decision that follows a held order's request, if one was made (there is at most one). */
export function findFollowUp(db: Executor, requestId: string): Promise<ShopUndoRequestRow | undefined> {
  return db.selectFrom('shop_undo_requests').selectAll().where('follows', '=', requestId).executeTakeFirst();
}

/** A second decision racing the first loses on the store's one-decision index. */
export function isSecondDecision(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /shop_undo_requests_one_decision|UNIQUE constraint failed: shop_undo_requests\.follows/.test(message);
}

export function listShopUndoRequestsOfIncidents(
  db: Executor,
  incidentIds: readonly string[],
): Promise<ShopUndoRequestRow[]> {
  if (incidentIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('shop_undo_requests')
    .selectAll()
    .where('incident_id', 'in', incidentIds)
    .orderBy('requested_at')
    .orderBy('id')
    .execute();
}

/** A shop's requests, oldest first: those still waiting on its answer, or every one. */
export function listShopUndoRequestsOfClient(
  db: Executor,
  clientId: string,
  which: 'waiting' | 'all',
  limit: number,
): Promise<ShopUndoRequestRow[]> {
  let query = db.selectFrom('shop_undo_requests').selectAll().where('client_id', '=', clientId);
  if (which === 'waiting') query = query.where('answer', 'is', null);
  return query.orderBy('requested_at').orderBy('id').limit(limit).execute();
}

export async function recordShopAnswer(
  db: Executor,
  id: string,
  answer: { answer: string; note: string | null; at: string },
): Promise<void> {
  await db
    .updateTable('shop_undo_requests')
    .set({ answer: answer.answer, note: answer.note, answered_at: answer.at })
    .where('id', '=', id)
    .execute();
}

/** Per incident, how many requests no shop has answered and since when the oldest waits (the support queue). */
export async function unansweredShopUndoRequestsByIncident(
  db: Executor,
): Promise<Map<string, { count: number; since: string }>> {
  const rows = await db
    .selectFrom('shop_undo_requests')
    .select((eb) => [
      'incident_id',
      eb.fn.countAll<number | string>().as('count'),
      eb.fn.min('requested_at').as('since'),
    ])
    .where('answer', 'is', null)
    .groupBy('incident_id')
    .execute();
  return new Map(rows.map((row) => [row.incident_id, { count: Number(row.count), since: String(row.since) }]));
}
