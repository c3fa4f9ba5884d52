import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from './database.ts';
import type { IncidentsTable, SupportRequestsTable } from './schema.ts';

export type IncidentRow = Selectable<IncidentsTable>;
export type SupportRequestRow = Selectable<SupportRequestsTable>;

export async function insertIncident(db: Executor, row: Insertable<IncidentsTable>): Promise<void> {
  await db.insertInto('incidents').values(row).execute();
}

export function findIncident(db: Executor, id: string): Promise<IncidentRow | undefined> {
  return db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findIncidentByStatusToken(db: Executor, tokenHash: string): Promise<IncidentRow | undefined> {
  return db.selectFrom('incidents').selectAll().where('status_token_hash', '=', tokenHash).executeTakeFirst();
}

export function findOpenIncident(db: Executor, accountId: string): Promise<IncidentRow | undefined> {
  return db
    .selectFrom('incidents')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('state', 'not in', ['closed', 'dismissed'])
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** Moves an incident only if it is still in the state the caller saw: concurrent actions cannot both win. */
export async function updateIncidentFrom(db: Executor, id: string, fromState: string, changes: Updateable<IncidentsTable>): Promise<boolean> {
  const result = await db.updateTable('incidents').set(changes).where('id', '=', id).where('state', '=', fromState).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function listIncidentsDue(db: Executor, state: string, now: string): Promise<IncidentRow[]> {
  return db.selectFrom('incidents').selectAll().where('state', '=', state).where('wait_until', '<=', now).execute();
}

export async function insertSupportRequest(db: Executor, row: Insertable<SupportRequestsTable>): Promise<void> {
  await db.insertInto('support_requests').values(row).execute();
}

export function listSupportRequests(db: Executor, incidentId: string): Promise<SupportRequestRow[]> {
  return db.selectFrom('support_requests').selectAll().where('incident_id', '=', incidentId).orderBy('created_at').execute();
}

export function findRecoveredIncident(db: Executor, accountId: string): Promise<IncidentRow | undefined> {
  return db.selectFrom('incidents').selectAll().where('account_id', '=', accountId).where('state', '=', 'recovered').orderBy('created_at', 'desc').executeTakeFirst();
}
