import type { Kysely } from 'kysely';

/**
 * Issue 25, "whose shop is this?": a shop's logo and its own support contact, shown on the sign-in,
 * sign-up and consent pages of its authorizations beside the operator's name. All optional.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('oidc_clients').addColumn('logo_uri', 'text').execute();
  await db.schema.alterTable('oidc_clients').addColumn('support_email', 'text').execute();
  await db.schema.alterTable('oidc_clients').addColumn('support_url', 'text').execute();
}
