import type { Kysely } from 'kysely';

/**
 * "Hold" named three things; the change that waits for its delay is now a *delayed change*. The 72-hour
 * hold on irreversible actions keeps its name, and an incident has a *wait*. The kinds already written to
 * account logs and outbox rows ('change-held', 'held-change-cancelled', 'cancel-held-change') stay as
 * they are: they are history, and hash-chained.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('held_changes').renameTo('delayed_changes').execute();
}
