import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { OidcPayloadsTable } from './schema.ts';

export type OidcPayloadRow = Selectable<OidcPayloadsTable>;

/** Writes the model's row anew (the provider saves a whole payload each time). */
export async function upsertOidcPayload(db: Executor, row: Insertable<OidcPayloadsTable>): Promise<void> {
  await db
    .insertInto('oidc_payloads')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['kind', 'id']).doUpdateSet({
        payload: row.payload,
        grant_id: row.grant_id ?? null,
        uid: row.uid ?? null,
        user_code: row.user_code ?? null,
        expires_at: row.expires_at ?? null,
        consumed_at: null,
        account_id: row.account_id ?? null,
        client_id: row.client_id ?? null,
      }),
    )
    .execute();
}

/** The row of that model found by one of its keys, unless it has expired. */
export function findOidcPayload(
  db: Executor,
  kind: string,
  by: { id: string } | { uid: string } | { userCode: string },
  now: string,
): Promise<OidcPayloadRow | undefined> {
  let query = db
    .selectFrom('oidc_payloads')
    .selectAll()
    .where('kind', '=', kind)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  if ('id' in by) query = query.where('id', '=', by.id);
  else if ('uid' in by) query = query.where('uid', '=', by.uid);
  else query = query.where('user_code', '=', by.userCode);
  return query.executeTakeFirst();
}

export async function consumeOidcPayload(db: Executor, kind: string, id: string, at: string): Promise<void> {
  await db
    .updateTable('oidc_payloads')
    .set({ consumed_at: at })
    .where('kind', '=', kind)
    .where('id', '=', id)
    .execute();
}

export async function destroyOidcPayload(db: Executor, kind: string, id: string): Promise<void> {
  await db.deleteFrom('oidc_payloads').where('kind', '=', kind).where('id', '=', id).execute();
}

/** Every code and token of the grant, whatever its model: a revoked grant leaves nothing usable. */
export async function destroyOidcGrant(db: Executor, grantId: string): Promise<void> {
  await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
}

/** Removes rows whose expiry has passed, a page at a time; returns how many went. */
export async function sweepExpiredOidcPayloads(db: Executor, now: string, limit: number): Promise<number> {
  const expired = await db
    .selectFrom('oidc_payloads')
    .select(['kind', 'id'])
    .where('expires_at', '<=', now)
    .limit(limit)
    .execute();
  for (const row of expired) await destroyOidcPayload(db, row.kind, row.id);
  return expired.length;
}

/** The provider's rows about an account (sessions, grants, codes, tokens), as kind and payload. */
export function listOidcPayloadsOfAccount(
  db: Executor,
  accountId: string,
  kinds: readonly string[],
): Promise<Pick<OidcPayloadRow, 'kind' | 'id' | 'payload' | 'client_id' | 'uid'>[]> {
  return db
    .selectFrom('oidc_payloads')
    .select(['kind', 'id', 'payload', 'client_id', 'uid'])
    .where('account_id', '=', accountId)
    .where('kind', 'in', kinds)
    .execute();
}

/** Everything the provider holds for the account: its sessions, grants, codes and tokens, in one statement. */
export async function destroyOidcPayloadsOfAccount(db: Executor, accountId: string): Promise<number> {
  const result = await db.deleteFrom('oidc_payloads').where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Everything issued to a client that is being removed. */
export async function destroyOidcPayloadsOfClient(db: Executor, clientId: string): Promise<void> {
  await db.deleteFrom('oidc_payloads').where('client_id', '=', clientId).execute();
}

export function findOidcSessionByUid(
  db: Executor,
  uid: string,
): Promise<Pick<OidcPayloadRow, 'id' | 'payload'> | undefined> {
  return db
    .selectFrom('oidc_payloads')
    .select(['id', 'payload'])
    .where('kind', '=', 'Session')
    .where('uid', '=', uid)
    .executeTakeFirst();
}
