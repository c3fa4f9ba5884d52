import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { OneTimeTokensTable } from './schema.ts';

export type OneTimeTokenRow = Selectable<OneTimeTokensTable>;

export async function insertOneTimeToken(db: Executor, row: Insertable<OneTimeTokensTable>): Promise<void> {
  await db.insertInto('one_time_tokens').values(row).execute();
}

/** The token of that hash and purpose while it has not expired, used or not. */
function unexpired(db: Executor, tokenHash: string, purpose: string, now: string) {
  return db
    .selectFrom('one_time_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('expires_at', '>', now);
}

/** Looks a token up without using it: for pages that show what a link will do before a POST acts. */
export function findUsableToken(
  db: Executor,
  tokenHash: string,
  purpose: string,
  now: string,
): Promise<OneTimeTokenRow | undefined> {
  return unexpired(db, tokenHash, purpose, now).where('used_at', 'is', null).executeTakeFirst();
}

/** A report link whatever became of it (used, voided), while it has not expired: containment must not silence its holder. */
export function findUnexpiredToken(
  db: Executor,
  tokenHash: string,
  purpose: string,
  now: string,
): Promise<OneTimeTokenRow | undefined> {
  return unexpired(db, tokenHash, purpose, now).executeTakeFirst();
}

/** Moves the expiry of an incident's unused links of one purpose (a wait shortened or extended by staff). */
export async function setExpiryOfIncidentLinks(
  db: Executor,
  accountId: string,
  purpose: string,
  incidentId: string,
  expiresAt: string,
): Promise<void> {
  await db
    .updateTable('one_time_tokens')
    .set({ expires_at: expiresAt })
    .where('account_id', '=', accountId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('payload', 'like', `%"incidentId":"${incidentId}"%`)
    .execute();
}

/**
 * Uses a token once. A single UPDATE … WHERE used_at IS NULL … RETURNING is atomic on SQLite and
 * PostgreSQL alike: under concurrent calls exactly one caller gets the row (STYLE 7).
 */
export function consumeToken(
  db: Executor,
  tokenHash: string,
  purpose: string,
  now: string,
): Promise<OneTimeTokenRow | undefined> {
  return db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
}

/** Voids the account's unused tokens of these purposes, or of every purpose (containment). */
export async function voidTokens(
  db: Executor,
  accountId: string,
  purposes: string[] | 'all',
  now: string,
): Promise<void> {
  let query = db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('account_id', '=', accountId)
    .where('used_at', 'is', null);
  if (purposes !== 'all') query = query.where('purpose', 'in', purposes);
  await query.execute();
}

export async function countTokensIssuedSince(
  db: Executor,
  accountId: string,
  purpose: string,
  since: string,
): Promise<number> {
  const row = await db
    .selectFrom('one_time_tokens')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('account_id', '=', accountId)
    .where('purpose', '=', purpose)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateTokenPayload(db: Executor, id: string, payload: string): Promise<void> {
  await db.updateTable('one_time_tokens').set({ payload }).where('id', '=', id).where('used_at', 'is', null).execute();
}
