import type { ExpressionBuilder, Selectable } from 'kysely';
import { compiledOnce } from './compiled-query.ts';
import type { Executor } from './database.ts';
import type { Database, TotpFactorsTable } from './schema.ts';

export type TotpFactorRow = Selectable<TotpFactorsTable>;

export function findActiveTotp(db: Executor, accountId: string): Promise<TotpFactorRow | undefined> {
  return db
    .selectFrom('totp_factors')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('confirmed_at', 'is not', null)
    .where('removed_at', 'is', null)
    .orderBy('confirmed_at', 'desc')
    .executeTakeFirst();
}

export function findTotpFactor(db: Executor, accountId: string, factorId: string): Promise<TotpFactorRow | undefined> {
  return db
    .selectFrom('totp_factors')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', factorId)
    .executeTakeFirst();
}

/** When a TOTP factor was added (confirmed); the recovery codes issued with it are written in the same transaction, never before. */
export async function totpAddedAt(db: Executor, accountId: string, factorId: string): Promise<string | undefined> {
  const factor = await findTotpFactor(db, accountId, factorId);
  return factor ? (factor.confirmed_at ?? factor.created_at) : undefined;
}

export function findPendingTotp(db: Executor, accountId: string): Promise<TotpFactorRow | undefined> {
  return db
    .selectFrom('totp_factors')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('confirmed_at', 'is', null)
    .where('removed_at', 'is', null)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** Swaps a factor's stored seed for the same seed sealed anew, unless someone else changed it first. */
export async function replaceTotpSecret(db: Executor, factorId: string, from: string, to: string): Promise<boolean> {
  const result = await db
    .updateTable('totp_factors')
    .set({ secret: to })
    .where('id', '=', factorId)
    .where('secret', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Every stored seed (removed factors too: recovery may bring one back), a page at a time in id order. */
export function totpSecretsAfter(
  db: Executor,
  afterId: string,
  limit: number,
): Promise<Pick<TotpFactorRow, 'id' | 'secret'>[]> {
  return db
    .selectFrom('totp_factors')
    .select(['id', 'secret'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Records a step as used only if it is newer than the last one: a replayed code changes nothing. */
export async function useTotpStep(db: Executor, factorId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('totp_factors')
    .set({ last_used_step: step })
    .where('id', '=', factorId)
    .where('last_used_step', '<', step)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The authenticators the owner held at `at`: confirmed before it and not removed before it, whatever
 * happened since (an intruder may have replaced or removed them). Incident recovery asks this.
 */
export function totpFactorsHeldAt(db: Executor, accountId: string, at: string): Promise<TotpFactorRow[]> {
  return db
    .selectFrom('totp_factors')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('confirmed_at', '<', at)
    .where((eb) => eb.or([eb('removed_at', 'is', null), eb('removed_at', '>=', at)]))
    .orderBy('confirmed_at', 'desc')
    .execute();
}

/**
 * Marks a usable code used. With `heldAt` (incident recovery) the code must have been the owner's then:
 * issued before it, and not voided before it (an intruder turning off the authenticator voids the codes).
 */
export async function consumeRecoveryCode(
  db: Executor,
  accountId: string,
  codeHash: string,
  at: string,
  heldAt?: string,
): Promise<boolean> {
  let query = db
    .updateTable('recovery_codes')
    .set({ used_at: at })
    .where('account_id', '=', accountId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null);
  query = heldAt
    ? query
        .where('created_at', '<', heldAt)
        .where((eb) => eb.or([eb('voided_at', 'is', null), eb('voided_at', '>=', heldAt)]))
    : query.where('voided_at', 'is', null);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countUnusedRecoveryCodes(db: Executor, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('account_id', '=', accountId)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Voids usable recovery codes: all of them, or only those issued since `issuedSince`. */
export async function voidRecoveryCodes(
  db: Executor,
  accountId: string,
  at: string,
  issuedSince?: string,
): Promise<void> {
  let query = db
    .updateTable('recovery_codes')
    .set({ voided_at: at })
    .where('account_id', '=', accountId)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null);
  if (issuedSince) query = query.where('created_at', '>=', issuedSince);
  await query.execute();
}

/** Voids the usable codes issued at exactly `issuedAt` (one set: a renewal being undone). */
export async function voidRecoveryCodesIssuedAt(
  db: Executor,
  accountId: string,
  at: string,
  issuedAt: string,
): Promise<void> {
  await db
    .updateTable('recovery_codes')
    .set({ voided_at: at })
    .where('account_id', '=', accountId)
    .where('created_at', '=', issuedAt)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .execute();
}

/**
 * The codes that set voided at `voidedAt` (their authenticator turned off, or a new set made) become
 * usable again; used ones stay used. Only codes issued before that moment: a set issued at or after it
 * and voided in the same millisecond is never mistaken for them.
 */
export async function restoreRecoveryCodesVoidedAt(db: Executor, accountId: string, voidedAt: string): Promise<void> {
  await db
    .updateTable('recovery_codes')
    .set({ voided_at: null })
    .where('account_id', '=', accountId)
    .where('voided_at', '=', voidedAt)
    .where('created_at', '<', voidedAt)
    .where('used_at', 'is', null)
    .execute();
}

/** Retires the account's authenticators in one state (pending or confirmed) before a new one takes over. */
export async function retireTotp(
  db: Executor,
  accountId: string,
  which: 'pending' | 'confirmed',
  at: string,
): Promise<void> {
  await db
    .updateTable('totp_factors')
    .set({ removed_at: at })
    .where('account_id', '=', accountId)
    .where('confirmed_at', which === 'pending' ? 'is' : 'is not', null)
    .where('removed_at', 'is', null)
    .execute();
}

export async function insertTotp(
  db: Executor,
  row: { id: string; account_id: string; secret: string; created_at: string },
): Promise<void> {
  await db.insertInto('totp_factors').values(row).execute();
}

export async function confirmTotpFactor(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('totp_factors').set({ confirmed_at: at }).where('id', '=', id).execute();
}

export async function insertRecoveryCodes(
  db: Executor,
  rows: { id: string; account_id: string; code_hash: string; created_at: string }[],
): Promise<void> {
  await db.insertInto('recovery_codes').values(rows).execute();
}

/** Whether the account has a confirmed authenticator app and a passkey, as two columns of a select. */
export function secondFactorColumns(eb: ExpressionBuilder<Database, never>, accountId: string) {
  return [
    eb
      .exists(
        eb
          .selectFrom('totp_factors')
          .select('id')
          .where('account_id', '=', accountId)
          .where('confirmed_at', 'is not', null)
          .where('removed_at', 'is', null),
      )
      .as('totp'),
    eb
      .exists(
        eb.selectFrom('passkeys').select('id').where('account_id', '=', accountId).where('removed_at', 'is', null),
      )
      .as('passkey'),
  ] as const;
}

const factorFlags = compiledOnce((db: Executor, accountId: string) =>
  db.selectNoFrom((eb) => secondFactorColumns(eb, accountId)),
);

/** Which second factors the account has bound, in one read (SQLite answers 0/1, PostgreSQL booleans). */
export async function secondFactorFlags(db: Executor, accountId: string): Promise<{ totp: boolean; passkey: boolean }> {
  const [row] = await factorFlags(db, accountId);
  return factorFlagsOf(row);
}

// At module level: a named function made inside factorFlagsOf was renamed on every call (tsx keeps names
// with Object.defineProperty), which cost the sign-in's risk read more than the rest of this function.
const yes = (value: unknown) => value === true || value === 1 || value === '1';

/** secondFactorColumns' answer as booleans (SQLite answers 0/1, PostgreSQL booleans). */
export function factorFlagsOf(row: { totp?: unknown; passkey?: unknown } | undefined): {
  totp: boolean;
  passkey: boolean;
} {
  return { totp: yes(row?.totp), passkey: yes(row?.passkey) };
}

/** Every authenticator the account ever confirmed, removed ones too (their seeds are kept sealed). */
export function everyConfirmedTotp(db: Executor, accountId: string): Promise<TotpFactorRow[]> {
  return db
    .selectFrom('totp_factors')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('confirmed_at', 'is not', null)
    .orderBy('confirmed_at', 'desc')
    .execute();
}

/** An unused recovery code of the account by its hash, voided or not: whether it proves is judged by the caller. */
export function findUnusedRecoveryCode(
  db: Executor,
  accountId: string,
  codeHash: string,
): Promise<{ id: string; created_at: string; voided_at: string | null } | undefined> {
  return db
    .selectFrom('recovery_codes')
    .select(['id', 'created_at', 'voided_at'])
    .where('account_id', '=', accountId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
}

/** Uses one recovery code by id, once: of two concurrent uses exactly one succeeds. */
export async function useRecoveryCodeById(db: Executor, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
