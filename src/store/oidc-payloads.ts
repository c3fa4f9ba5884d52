import type { Insertable, Selectable } from 'kysely';
import { compiledOnce } from './compiled-query.ts';
import type { AtOnce, Executor } from './database.ts';
import type { OidcPayloadsTable } from './schema.ts';

export type OidcPayloadRow = Selectable<OidcPayloadsTable>;
export type FoundOidcPayload = Pick<OidcPayloadRow, 'payload' | 'consumed_at'>;

// Every code exchange and refresh finds, consumes and writes several rows: those queries are compiled once.
const upsert = compiledOnce(
  (
    db: Executor,
    kind: string,
    id: string,
    payload: string,
    grantId: string | null,
    uid: string | null,
    userCode: string | null,
    expiresAt: string | null,
    accountId: string | null,
    clientId: string | null,
  ) =>
    db
      .insertInto('oidc_payloads')
      .values({
        kind,
        id,
        payload,
        grant_id: grantId,
        uid,
        user_code: userCode,
        expires_at: expiresAt,
        consumed_at: null,
        account_id: accountId,
        client_id: clientId,
      })
      .onConflict((oc) =>
        oc.columns(['kind', 'id']).doUpdateSet((eb) => ({
          payload: eb.ref('excluded.payload'),
          grant_id: eb.ref('excluded.grant_id'),
          uid: eb.ref('excluded.uid'),
          user_code: eb.ref('excluded.user_code'),
          expires_at: eb.ref('excluded.expires_at'),
          consumed_at: null,
          account_id: eb.ref('excluded.account_id'),
          client_id: eb.ref('excluded.client_id'),
        })),
      ),
);

const upsertValues = (row: Insertable<OidcPayloadsTable>) =>
  [
    row.kind,
    row.id,
    row.payload,
    row.grant_id ?? null,
    row.uid ?? null,
    row.user_code ?? null,
    row.expires_at ?? null,
    row.account_id ?? null,
    row.client_id ?? null,
  ] as const;

/** Writes the model's row anew (the provider saves a whole payload each time). */
export async function upsertOidcPayload(db: Executor, row: Insertable<OidcPayloadsTable>): Promise<void> {
  await upsert(db, ...upsertValues(row));
}

/** The same, inside sqliteAtOnce's work: written there and then. */
export function upsertOidcPayloadNow(atOnce: AtOnce, row: Insertable<OidcPayloadsTable>): void {
  upsert.now(atOnce, ...upsertValues(row));
}

// Only what the provider reads back: the payload and when it was consumed (the rest is for the store's own lookups).
const unexpired = (column: 'id' | 'uid' | 'user_code') =>
  compiledOnce((db: Executor, kind: string, key: string, now: string) =>
    db
      .selectFrom('oidc_payloads')
      .select(['payload', 'consumed_at'])
      .where('kind', '=', kind)
      .where(column, '=', key)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)])),
  );
const byId = unexpired('id');
const byUid = unexpired('uid');
const byUserCode = unexpired('user_code');

/** The row of that model found by one of its keys, unless it has expired. */
export async function findOidcPayload(
  db: Executor,
  kind: string,
  by: { id: string } | { uid: string } | { userCode: string },
  now: string,
): Promise<FoundOidcPayload | undefined> {
  if ('id' in by) return (await byId(db, kind, by.id, now))[0];
  if ('uid' in by) return (await byUid(db, kind, by.uid, now))[0];
  return (await byUserCode(db, kind, by.userCode, now))[0];
}

const consume = compiledOnce((db: Executor, kind: string, id: string, at: string) =>
  db.updateTable('oidc_payloads').set({ consumed_at: at }).where('kind', '=', kind).where('id', '=', id),
);

export async function consumeOidcPayload(db: Executor, kind: string, id: string, at: string): Promise<void> {
  await consume(db, kind, id, at);
}

export function consumeOidcPayloadNow(atOnce: AtOnce, kind: string, id: string, at: string): void {
  consume.now(atOnce, kind, id, at);
}

const destroy = compiledOnce((db: Executor, kind: string, id: string) =>
  db.deleteFrom('oidc_payloads').where('kind', '=', kind).where('id', '=', id),
);

export async function destroyOidcPayload(db: Executor, kind: string, id: string): Promise<void> {
  await destroy(db, kind, id);
}

export function destroyOidcPayloadNow(atOnce: AtOnce, kind: string, id: string): void {
  destroy.now(atOnce, kind, id);
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
