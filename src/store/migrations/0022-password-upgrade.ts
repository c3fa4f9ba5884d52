import type { Kysely } from 'kysely';

/**
 * An imported password below the policy (issue 26): 'suggested' (a longer one or a passkey is asked for,
 * and may wait) or 'required' (on the breached/common list: a new one before anything else). Kept on the
 * account, not in a cookie, so no other page, browser or later sign-in skips it; cleared by a new password.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('password_upgrade', 'text').execute();
}
