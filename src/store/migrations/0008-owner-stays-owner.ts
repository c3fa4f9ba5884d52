import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Who a link was mailed to, and which session asked for it: a report is judged by the address it
  // reached, and a link dies with the session that requested it.
  await db.schema.alterTable('one_time_tokens').addColumn('recipient', 'text').execute();
  await db.schema.alterTable('one_time_tokens').addColumn('session_id', 'text').execute();
  await db.schema.createIndex('one_time_tokens_session').on('one_time_tokens').column('session_id').execute();

  // The address the account held at the compromise point (recovery goes only there), and who reported.
  await db.schema.alterTable('incidents').addColumn('owner_email', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('reported_by', 'text').execute();
  await db.schema.createIndex('incidents_owner_email').on('incidents').column('owner_email').execute();

  // Everyone who may look at an incident, each with their own link and their standing: an address the
  // account held before the compromise point ('owner') or one that appeared after it ('newcomer').
  await db.schema
    .createTable('incident_parties')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('address', 'text')
    .addColumn('standing', 'text', (c) => c.notNull())
    .addColumn('status_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('claimed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_parties_incident').on('incident_parties').column('incident_id').execute();
  // Incidents from before this migration: their one status link was the reporter's, who was taken as the owner.
  await sql`INSERT INTO incident_parties (id, incident_id, address, standing, status_token_hash, created_at)
    SELECT id, id, NULL, 'owner', status_token_hash, created_at FROM incidents`.execute(db);

  await db.schema.alterTable('support_requests').addColumn('standing', 'text').execute();

  // One open incident per account, kept by the store rather than by a read before the insert.
  await sql`CREATE UNIQUE INDEX incidents_one_open_per_account ON incidents (account_id) WHERE state NOT IN ('closed', 'dismissed')`.execute(
    db,
  );
}
