import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { IncidentPartiesTable } from './schema.ts';

export type IncidentPartyRow = Selectable<IncidentPartiesTable>;

export async function insertIncidentParty(db: Executor, row: Insertable<IncidentPartiesTable>): Promise<void> {
  await db.insertInto('incident_parties').values(row).execute();
}

export function findPartyByStatusToken(db: Executor, tokenHash: string): Promise<IncidentPartyRow | undefined> {
  return db.selectFrom('incident_parties').selectAll().where('status_token_hash', '=', tokenHash).executeTakeFirst();
}

export function listIncidentParties(db: Executor, incidentId: string): Promise<IncidentPartyRow[]> {
  return db
    .selectFrom('incident_parties')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('created_at')
    .execute();
}

/** Marks the party's claim once; returns whether this call made it. */
export async function markPartyClaimed(db: Executor, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('incident_parties')
    .set({ claimed_at: at })
    .where('id', '=', id)
    .where('claimed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countPartyLinksSince(
  db: Executor,
  incidentId: string,
  address: string,
  since: string,
): Promise<number> {
  const row = await db
    .selectFrom('incident_parties')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('incident_id', '=', incidentId)
    .where('address', '=', address)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
