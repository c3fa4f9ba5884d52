import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Staff are not customers: their own table, their own sessions, their own cookie.
  await db.schema
    .createTable('staff_members')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('totp_secret', 'text', (c) => c.notNull())
    .addColumn('totp_last_step', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .execute();

  await db.schema
    .createTable('staff_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('staff_id', 'text', (c) => c.notNull().references('staff_members.id'))
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  // What staff did on a case: replies to the customer (mailed and shown on the incident page) and calls.
  await db.schema
    .createTable('support_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('incident_id', 'text')
    .addColumn('request_id', 'text')
    .addColumn('staff_id', 'text', (c) => c.notNull().references('staff_members.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('duration_minutes', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('support_notes_account')
    .on('support_notes')
    .columns(['account_id', 'created_at'])
    .execute();

  // What the service-level clocks need: when a person first answered, and who holds the case.
  await db.schema.alterTable('incidents').addColumn('first_response_at', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('assigned_staff_id', 'text').execute();
  await db.schema.alterTable('support_requests').addColumn('first_response_at', 'text').execute();
  await db.schema.alterTable('support_requests').addColumn('assigned_staff_id', 'text').execute();
  await db.schema.alterTable('support_requests').addColumn('closed_at', 'text').execute();
}
