import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A code voided (its authenticator turned off) is not a code used: the owner's codes come back with the
  // authenticator when an incident's undo or recovery restores it. Codes voided before this column
  // existed keep `used_at` and stay void.
  await db.schema.alterTable('recovery_codes').addColumn('voided_at', 'text').execute();
}
