import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from './database.ts';
import type { IncidentsTable, SupportNotesTable, SupportRequestsTable } from './schema.ts';

export type IncidentRow = Selectable<IncidentsTable>;
export type SupportRequestRow = Selectable<SupportRequestsTable>;

export async function insertIncident(db: Executor, row: Insertable<IncidentsTable>): Promise<void> {
  await db.insertInto('incidents').values(row).execute();
}

export function findIncident(db: Executor, id: string): Promise<IncidentRow | undefined> {
  return db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The store refused a second open incident for one account (the unique partial index of migration 0008). */
export function isOneOpenIncidentViolation(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /incidents_one_open_per_account|UNIQUE constraint failed: incidents\.account_id/.test(message);
}

/** The newest incident of the account opened at or after `since`, whatever its state. */
export function findLatestIncidentSince(
  db: Executor,
  accountId: string,
  since: string,
): Promise<IncidentRow | undefined> {
  return db
    .selectFrom('incidents')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('created_at', '>=', since)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** The open incident of the account with this address, or of the account whose owner address it is. */
export function findOpenIncidentForAddress(
  db: Executor,
  address: string,
  accountId: string | undefined,
): Promise<IncidentRow | undefined> {
  let query = db.selectFrom('incidents').selectAll().where('state', 'not in', ['closed', 'dismissed']);
  query = accountId
    ? query.where((eb) => eb.or([eb('account_id', '=', accountId), eb('owner_email', '=', address)]))
    : query.where('owner_email', '=', address);
  return query.orderBy('created_at', 'desc').executeTakeFirst();
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
export async function updateIncidentFrom(
  db: Executor,
  id: string,
  fromState: string,
  changes: Updateable<IncidentsTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('incidents')
    .set(changes)
    .where('id', '=', id)
    .where('state', '=', fromState)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function listIncidentsDue(db: Executor, state: string, now: string): Promise<IncidentRow[]> {
  return db.selectFrom('incidents').selectAll().where('state', '=', state).where('wait_until', '<=', now).execute();
}

export async function insertSupportRequest(db: Executor, row: Insertable<SupportRequestsTable>): Promise<void> {
  await db.insertInto('support_requests').values(row).execute();
}

export function listSupportRequests(db: Executor, incidentId: string): Promise<SupportRequestRow[]> {
  return db
    .selectFrom('support_requests')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('created_at')
    .execute();
}

export function findRecoveredIncident(db: Executor, accountId: string): Promise<IncidentRow | undefined> {
  return db
    .selectFrom('incidents')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('state', '=', 'recovered')
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** The support queue's open cases: incidents not yet closed, and requests not yet closed, with the account's address. */
export function listOpenIncidentsWithAccount(db: Executor) {
  return db
    .selectFrom('incidents')
    .innerJoin('accounts', 'accounts.id', 'incidents.account_id')
    .select([
      'incidents.id',
      'incidents.account_id',
      'incidents.state',
      'incidents.opened_by',
      'incidents.created_at',
      'incidents.contained_at',
      'incidents.recovered_at',
      'incidents.closed_at',
      'incidents.first_response_at',
      'incidents.assigned_staff_id',
      'accounts.email',
    ])
    .where('incidents.state', 'not in', ['closed', 'dismissed'])
    .execute();
}

export function listOpenRequestsWithAccount(db: Executor) {
  return db
    .selectFrom('support_requests')
    .innerJoin('accounts', 'accounts.id', 'support_requests.account_id')
    .select([
      'support_requests.id',
      'support_requests.account_id',
      'support_requests.incident_id',
      'support_requests.kind',
      'support_requests.body',
      'support_requests.phone',
      'support_requests.preferred_time',
      'support_requests.created_at',
      'support_requests.first_response_at',
      'support_requests.closed_at',
      'support_requests.assigned_staff_id',
      'accounts.email',
    ])
    .where('support_requests.closed_at', 'is', null)
    .execute();
}

export type SupportNoteRow = Selectable<SupportNotesTable>;

export async function insertSupportNote(db: Executor, row: SupportNoteRow): Promise<void> {
  await db.insertInto('support_notes').values(row).execute();
}

export function listSupportNotes(db: Executor, accountId: string): Promise<SupportNoteRow[]> {
  return db.selectFrom('support_notes').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
}

export function listRepliesForIncident(db: Executor, incidentId: string): Promise<SupportNoteRow[]> {
  return db
    .selectFrom('support_notes')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('kind', '=', 'reply')
    .orderBy('created_at')
    .execute();
}

export function findSupportRequest(db: Executor, id: string): Promise<SupportRequestRow | undefined> {
  return db.selectFrom('support_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listRequestsForAccount(db: Executor, accountId: string): Promise<SupportRequestRow[]> {
  return db
    .selectFrom('support_requests')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .execute();
}

/** The first answer from a person stops the first-response clock of the incident and its open requests. */
export async function markFirstResponse(
  db: Executor,
  incidentId: string | null,
  requestId: string | null,
  at: string,
): Promise<void> {
  if (incidentId) {
    await db
      .updateTable('incidents')
      .set({ first_response_at: at })
      .where('id', '=', incidentId)
      .where('first_response_at', 'is', null)
      .execute();
    await db
      .updateTable('support_requests')
      .set({ first_response_at: at })
      .where('incident_id', '=', incidentId)
      .where('first_response_at', 'is', null)
      .execute();
  }
  if (requestId)
    await db
      .updateTable('support_requests')
      .set({ first_response_at: at })
      .where('id', '=', requestId)
      .where('first_response_at', 'is', null)
      .execute();
}

export async function closeSupportRequest(db: Executor, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('support_requests')
    .set({ closed_at: at })
    .where('id', '=', id)
    .where('closed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function assignCase(
  db: Executor,
  kind: 'incident' | 'request',
  id: string,
  staffId: string | null,
): Promise<boolean> {
  const result =
    kind === 'incident'
      ? await db.updateTable('incidents').set({ assigned_staff_id: staffId }).where('id', '=', id).executeTakeFirst()
      : await db
          .updateTable('support_requests')
          .set({ assigned_staff_id: staffId })
          .where('id', '=', id)
          .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function listIncidentsForAccount(db: Executor, accountId: string): Promise<IncidentRow[]> {
  return db
    .selectFrom('incidents')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .execute();
}

export function listIncidentsOpenedBetween(db: Executor, from: string, to: string) {
  return db
    .selectFrom('incidents')
    .select(['id', 'opened_by', 'created_at', 'first_response_at', 'contained_at', 'recovered_at'])
    .where('created_at', '>=', from)
    .where('created_at', '<=', to)
    .orderBy('created_at')
    .execute();
}

export function listRequestsOpenedBetween(db: Executor, from: string, to: string) {
  return db
    .selectFrom('support_requests')
    .select(['id', 'kind', 'created_at', 'first_response_at'])
    .where('created_at', '>=', from)
    .where('created_at', '<=', to)
    .execute();
}

export async function countIncidentsByState(db: Executor): Promise<{ state: string; count: number }[]> {
  const rows = await db
    .selectFrom('incidents')
    .select((eb) => ['state', eb.fn.countAll<number | string>().as('count')])
    .groupBy('state')
    .execute();
  return rows.map((row) => ({ state: row.state, count: Number(row.count) }));
}
