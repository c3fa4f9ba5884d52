import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('accounts')
    .addColumn('log_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('accounts')
    .addColumn('log_head', 'text', (c) => c.notNull().defaultTo('0'.repeat(64)))
    .execute();
  await db.schema.alterTable('sessions').addColumn('device_id', 'text').execute();

  await db.schema
    .createTable('account_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('before_value', 'text')
    .addColumn('after_value', 'text')
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_session_id', 'text')
    .addColumn('actor_device_id', 'text')
    .addColumn('actor_device', 'text', (c) => c.notNull())
    .addColumn('actor_ip', 'text', (c) => c.notNull())
    .addColumn('actor_area', 'text')
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('previous_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('account_log_account_seq', ['account_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('account_log_account_time')
    .on('account_log')
    .columns(['account_id', 'occurred_at'])
    .execute();

  await db.schema
    .createTable('known_devices')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('known_devices_pk', ['account_id', 'device_id'])
    .execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .addColumn('reported_change_id', 'text')
    .addColumn('compromise_at', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('checklist', 'text', (c) => c.notNull())
    .addColumn('disputed_party', 'text')
    .addColumn('objection', 'text')
    .addColumn('status_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('wait_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('contained_at', 'text')
    .addColumn('recovery_opened_at', 'text')
    .addColumn('recovered_at', 'text')
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema.createIndex('incidents_account').on('incidents').columns(['account_id', 'state']).execute();
  await db.schema.createIndex('incidents_state_wait').on('incidents').columns(['state', 'wait_until']).execute();

  await db.schema
    .createTable('support_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('incident_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('phone', 'text')
    .addColumn('preferred_time', 'text')
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('support_requests_incident').on('support_requests').column('incident_id').execute();
}
