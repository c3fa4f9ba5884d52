import { sql, type Kysely } from 'kysely';

const RETIRED_KEY_PUBLISHED_MS = 2 * 3_600_000;

/**
 * One signing key signs at a time. Instances starting together on a fresh database each made the first
 * key when they found none; the index lets exactly one insert win. A database that already holds several
 * keeps the newest signing and publishes the others as retired keys, as a rotation does.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const current = await sql<{ kid: string }>`
    SELECT kid FROM oidc_signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid DESC`.execute(db);
  const [keep, ...others] = current.rows;
  if (keep && others.length > 0) {
    const now = new Date();
    const until = new Date(now.getTime() + RETIRED_KEY_PUBLISHED_MS);
    await sql`UPDATE oidc_signing_keys SET retired_at = ${now.toISOString()}, published_until = ${until.toISOString()}
      WHERE retired_at IS NULL AND kid <> ${keep.kid}`.execute(db);
  }
  await sql`CREATE UNIQUE INDEX oidc_signing_keys_one_current ON oidc_signing_keys ((retired_at IS NULL)) WHERE retired_at IS NULL`.execute(
    db,
  );
}
