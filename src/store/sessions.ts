import type { Selectable } from 'kysely';
import { compiledInsert, compiledOnce } from './compiled-query.ts';
import type { Executor } from './database.ts';
import type { SessionsTable } from './schema.ts';

export type SessionRow = Selectable<SessionsTable>;

// Every sign-in writes one: compiled once.
export const insertSession = compiledInsert('sessions', [
  'id',
  'token_hash',
  'account_id',
  'device_label',
  'user_agent',
  'ip',
  'area',
  'created_at',
  'last_seen_at',
  'authenticated_at',
  'revoked_at',
  'revoke_reason',
  'device_id',
  'risk_decision',
  'amr',
]);

/** What a session check reads of a session: no address, browser string or token hash it does not use. */
const CHECKED_SESSION_COLUMNS = [
  'id',
  'account_id',
  'created_at',
  'last_seen_at',
  'authenticated_at',
  'revoked_at',
  'device_label',
  'device_id',
  'risk_decision',
  'amr',
] as const;
export type CheckedSessionRow = Pick<SessionRow, (typeof CHECKED_SESSION_COLUMNS)[number]>;

export type SessionWithAccountRow = CheckedSessionRow & {
  email: string;
  name: string;
  locale: string;
  status: string;
  irreversible_hold_until: string | null;
  password_upgrade: string | null;
};

const sessionWithAccount = compiledOnce((db: Executor, tokenHash: string) =>
  db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .select(CHECKED_SESSION_COLUMNS.map((column) => `sessions.${column}` as const))
    .select([
      'accounts.email',
      'accounts.name',
      'accounts.locale',
      'accounts.status',
      'accounts.irreversible_hold_until',
      'accounts.password_upgrade',
    ])
    .where('sessions.token_hash', '=', tokenHash),
);

/** The session check: one indexed read that also brings what a caller needs to know about the account. */
export async function findSessionWithAccount(
  db: Executor,
  tokenHash: string,
): Promise<SessionWithAccountRow | undefined> {
  return (await sessionWithAccount(db, tokenHash))[0];
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

/** Revokes one session of one account (the account check keeps a user from revoking someone else's); returns its id if it was live. */
export async function revokeSession(
  db: Executor,
  accountId: string,
  id: string,
  at: string,
  reason: string,
): Promise<string[]> {
  const rows = await db
    .updateTable('sessions')
    .set({ revoked_at: at, revoke_reason: reason })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** Revokes every live session of the account but `exceptId`; returns the ids it ended. */
export async function revokeAllSessions(
  db: Executor,
  accountId: string,
  at: string,
  reason: string,
  exceptId?: string,
): Promise<string[]> {
  let query = db
    .updateTable('sessions')
    .set({ revoked_at: at, revoke_reason: reason })
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null);
  if (exceptId) query = query.where('id', '!=', exceptId);
  const rows = await query.returning('id').execute();
  return rows.map((row) => row.id);
}

export function findSessionById(db: Executor, id: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Sessions of the account started at or after `since`: the candidates for suspicion in an incident. */
export function listSessionsStartedSince(db: Executor, accountId: string, since: string): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('created_at', '>=', since)
    .execute();
}

export function listRecentSessions(db: Executor, accountId: string, limit: number): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}
