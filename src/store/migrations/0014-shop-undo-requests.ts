import type { Kysely } from 'kysely';

/**
 * What containment asked a shop to undo (issue 15): one row per shop change in the undo plan (hold
 * order #1042, remove the card saved at checkout), for the shop that reported it, with the shop's answer
 * once it gives one. A request without an answer is waiting on the shop, and the support queue shows its age.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('shop_undo_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('change_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('item_type', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('answer', 'text')
    .addColumn('note', 'text')
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .execute();
  await db.schema.createIndex('shop_undo_requests_incident').on('shop_undo_requests').column('incident_id').execute();
  await db.schema
    .createIndex('shop_undo_requests_client')
    .on('shop_undo_requests')
    .columns(['client_id', 'requested_at'])
    .execute();
  // One request per change and incident: a staff "undo this one" later asks again only if none was asked.
  await db.schema
    .createIndex('shop_undo_requests_once')
    .on('shop_undo_requests')
    .columns(['incident_id', 'change_id'])
    .unique()
    .execute();
  // A shop reports each of its changes once: a retried report finds the entry it already made.
  await db.schema
    .createIndex('account_log_subject')
    .on('account_log')
    .columns(['account_id', 'kind', 'subject_id'])
    .execute();
}
