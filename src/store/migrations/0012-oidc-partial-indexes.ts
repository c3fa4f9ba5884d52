import { sql, type Kysely } from 'kysely';

const LOOKUPS = [
  ['oidc_payloads_grant', 'grant_id'],
  ['oidc_payloads_uid', 'uid'],
  ['oidc_payloads_user_code', 'user_code'],
  ['oidc_payloads_account', 'account_id'],
  ['oidc_payloads_client', 'client_id'],
] as const;

/**
 * Each provider row is looked up by at most a few of these columns and the rest are empty (a token has no
 * session uid, no model has a device user code). Indexing only the rows that have the value means every
 * code, token and grant written touches fewer index pages: writes are most of a code exchange's cost.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, column] of LOOKUPS) {
    await db.schema.dropIndex(name).execute();
    await sql`CREATE INDEX ${sql.id(name)} ON oidc_payloads (${sql.id(column)}) WHERE ${sql.id(column)} IS NOT NULL`.execute(
      db,
    );
  }
}
