import type { CompiledQuery, Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { SessionsTable } from './schema.ts';

export type SessionRow = Selectable<SessionsTable>;

export async function insertSession(db: Executor, row: Insertable<SessionsTable>): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export type SessionWithAccountRow = SessionRow & { email: string; name: string; locale: string; status: string; irreversible_hold_until: string | null };

const sessionWithAccountQuery = (db: Executor, tokenHash: string) =>
  db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .selectAll('sessions')
    .select(['accounts.email', 'accounts.name', 'accounts.locale', 'accounts.status', 'accounts.irreversible_hold_until'])
    .where('sessions.token_hash', '=', tokenHash);

/** Compiled once per database: the session check runs on every request, building it each time costs more than running it. */
const compiledSessionQuery = new WeakMap<Executor, CompiledQuery<SessionWithAccountRow>>();

/** The session check: one indexed read that also brings what a caller needs to know about the account. */
export async function findSessionWithAccount(db: Executor, tokenHash: string): Promise<SessionWithAccountRow | undefined> {
  let compiled = compiledSessionQuery.get(db);
  if (!compiled) {
    compiled = sessionWithAccountQuery(db, '').compile();
    compiledSessionQuery.set(db, compiled);
  }
  const result = await db.executeQuery<SessionWithAccountRow>({ ...compiled, parameters: [tokenHash] });
  return result.rows[0];
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

export function findSessionById(db: Executor, id: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Sessions of the account started at or after `since`: the candidates for suspicion in an incident. */
export function listSessionsStartedSince(db: Executor, accountId: string, since: string): Promise<SessionRow[]> {
  return db.selectFrom('sessions').selectAll().where('account_id', '=', accountId).where('created_at', '>=', since).execute();
}
