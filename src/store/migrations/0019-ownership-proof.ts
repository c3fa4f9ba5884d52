import type { Kysely } from 'kysely';

/**
 * Which factor proved the owner and opened recovery without the wait (JSON: kind, held since, when),
 * shown to staff on the case and read by the recovery page, which then asks for no factor again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('proven_by', 'text').execute();
}
