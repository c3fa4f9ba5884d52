import { sql, type Kysely } from 'kysely';

/**
 * Issue 25: the owner (or support) decides what becomes of an order the shop held: "This was mine:
 * release it" or "Cancel it". The decision goes to the shop as a follow-up undo request on the same
 * item, naming the request it follows. Containment still asks once per change and incident; each held
 * order takes one decision, so a second click (or a second tab) cannot send the shop a contrary one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('shop_undo_requests').addColumn('follows', 'text').execute();
  await db.schema.dropIndex('shop_undo_requests_once').execute();
  await sql`CREATE UNIQUE INDEX shop_undo_requests_once ON shop_undo_requests (incident_id, change_id) WHERE follows IS NULL`.execute(
    db,
  );
  await sql`CREATE UNIQUE INDEX shop_undo_requests_one_decision ON shop_undo_requests (follows) WHERE follows IS NOT NULL`.execute(
    db,
  );
}
