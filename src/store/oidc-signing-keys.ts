import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { OidcSigningKeysTable } from './schema.ts';

export type OidcSigningKeyRow = Selectable<OidcSigningKeysTable>;

/**
 * Inserts a signing key; false when another one already signs (one current key, migration 0015): of
 * several instances making the first key at once, one wins and the others use its key.
 */
export async function insertSigningKey(db: Executor, row: Insertable<OidcSigningKeysTable>): Promise<boolean> {
  const result = await db
    .insertInto('oidc_signing_keys')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** The key that signs (not retired) first, then retired keys still published at `now`, newest first. */
export function listPublishedSigningKeys(db: Executor, now: string): Promise<OidcSigningKeyRow[]> {
  return db
    .selectFrom('oidc_signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('published_until', '>', now)]))
    .orderBy('retired_at', (ob) => ob.nullsFirst())
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .execute();
}

/** Retires the signing key, publishing it until `publishedUntil`. */
export async function retireSigningKeys(db: Executor, at: string, publishedUntil: string): Promise<number> {
  const result = await db
    .updateTable('oidc_signing_keys')
    .set({ retired_at: at, published_until: publishedUntil })
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function signingKeysAfter(db: Executor, afterKid: string, limit: number) {
  return db
    .selectFrom('oidc_signing_keys')
    .select(['kid as id', 'private_jwk_sealed as secret'])
    .where('kid', '>', afterKid)
    .orderBy('kid')
    .limit(limit)
    .execute();
}

export async function replaceSigningKeySeal(db: Executor, kid: string, from: string, to: string): Promise<boolean> {
  const result = await db
    .updateTable('oidc_signing_keys')
    .set({ private_jwk_sealed: to })
    .where('kid', '=', kid)
    .where('private_jwk_sealed', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
