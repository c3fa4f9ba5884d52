import { sql, type Kysely } from 'kysely';

/**
 * Shared Signals streams (issue 15): one per shop client, how its events reach it (pushed to its
 * endpoint, or kept for it to poll), which events it asked for, and whether it is enabled, paused or
 * disabled. The events themselves are outbox rows on the `ssf` channel.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ssf_streams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addColumn('delivery_method', 'text', (c) => c.notNull())
    .addColumn('endpoint_url', 'text')
    .addColumn('authorization_sealed', 'text')
    .addColumn('events_requested', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('failing_since', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // A stream's undelivered events, oldest first: delivery keeps their order, polling reads them.
  await sql`CREATE INDEX outbox_ssf_stream ON outbox (recipient, created_at) WHERE channel = 'ssf'`.execute(db);
}
