import { sql, type Kysely } from 'kysely';

/**
 * The OpenID Provider's own records (issue 14): the shops allowed to sign customers in (their secret
 * sealed), the signing keys (private half sealed; a rotated-out key stays published for a while), which
 * Mamori session each provider session rides on, how each session was proved (`amr`), the account and
 * client of every provider row (so containment revokes them in one statement), and every delivery attempt.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oidc_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull())
    .addColumn('backchannel_logout_uri', 'text')
    .addColumn('first_party', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('secret_rotated_at', 'text')
    .execute();

  await db.schema
    .createTable('oidc_signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('private_jwk_sealed', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .addColumn('published_until', 'text')
    .execute();

  await db.schema.alterTable('oidc_payloads').addColumn('account_id', 'text').execute();
  await db.schema.alterTable('oidc_payloads').addColumn('client_id', 'text').execute();
  await db.schema.createIndex('oidc_payloads_account').on('oidc_payloads').column('account_id').execute();
  await db.schema.createIndex('oidc_payloads_client').on('oidc_payloads').column('client_id').execute();

  await db.schema
    .createTable('oidc_session_links')
    .addColumn('oidc_session_uid', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_session_links_session').on('oidc_session_links').column('session_id').execute();
  await db.schema.createIndex('oidc_session_links_account').on('oidc_session_links').column('account_id').execute();

  await db.schema
    .alterTable('sessions')
    .addColumn('amr', 'text', (c) => c.notNull().defaultTo('pwd'))
    .execute();

  await db.schema
    .createTable('delivery_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('outbox_id', 'text', (c) => c.notNull())
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('answer', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('delivery_attempts_outbox').on('delivery_attempts').column('outbox_id').execute();
  await sql`CREATE INDEX outbox_account_channel ON outbox (account_id, channel)`.execute(db);
}
