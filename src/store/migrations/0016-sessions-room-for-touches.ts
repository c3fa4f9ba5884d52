import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * A session's "last seen" is rewritten once a minute while it is used. On PostgreSQL that update is
 * HOT (no index touched, the new version on the same page) only if the page has room, and pages filled
 * to the brim by sign-ins have none: every first touch then also wrote three index entries. Leaving a
 * tenth of each new page free keeps the touches on their page. Pages written before this stay full
 * until they are rewritten; nothing is locked now. SQLite has no such setting.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter)
    await sql`ALTER TABLE sessions SET (fillfactor = 90)`.execute(db);
}
