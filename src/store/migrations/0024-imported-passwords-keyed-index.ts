import { sql, type Kysely } from 'kysely';

/**
 * The index on imported passwords by shop and format serves one question: does any of a shop's hashes
 * still need a shop key (EC-CUBE's AUTH_MAGIC, Firebase's signer key)? Only those formats are indexed
 * now, so an import writes one index entry fewer for every other account (issue 26's throughput).
 * The list is this migration's own: src/store/imported-accounts.ts asks with the same words.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('imported_passwords_client_format').execute();
  await sql`CREATE INDEX imported_passwords_keyed ON imported_passwords (client_id, format)
    WHERE format IN ('eccube', 'eccube-sha1', 'firebase-scrypt')`.execute(db);
}
