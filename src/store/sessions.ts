import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { SessionsTable } from './schema.ts';

export type SessionRow = Selectable<SessionsTable>;

export async function insertSession(db: Executor, row: Insertable<SessionsTable>): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export function findSessionByTokenHash(db: Executor, tokenHash: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export function listLiveSessions(db: Executor, accountId: string): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .orderBy('last_seen_at', 'desc')
    .execute();
}

export async function touchSession(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
}

export async function markAuthenticated(db: Executor, id: string, tokenHash: string, at: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ token_hash: tokenHash, authenticated_at: at, last_seen_at: at })
    .where('id', '=', id)
    .execute();
}

/** Revokes one session of one account; the account check keeps a user from revoking someone else's. */
export async function revokeSession(db: Executor, accountId: string, id: string, at: string, reason: string): Promise<number> {
  const result = await db
    .updateTable('sessions')
    .set({ revoked_at: at, revoke_reason: reason })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function revokeAllSessions(
  db: Executor,
  accountId: string,
  at: string,
  reason: string,
  exceptId?: string,
): Promise<number> {
  let query = db
    .updateTable('sessions')
    .set({ revoked_at: at, revoke_reason: reason })
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null);
  if (exceptId) query = query.where('id', '!=', exceptId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
