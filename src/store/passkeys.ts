import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { PasskeysTable } from './schema.ts';

export type PasskeyRow = Selectable<PasskeysTable>;

export function listPasskeys(db: Executor, accountId: string): Promise<PasskeyRow[]> {
  return db
    .selectFrom('passkeys')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('removed_at', 'is', null)
    .orderBy('created_at')
    .execute();
}

/**
 * The passkeys the owner held at `at`: bound before it and not removed before it, whatever happened
 * since (an intruder may have removed them). Incident recovery asks this.
 */
export function passkeysHeldAt(db: Executor, accountId: string, at: string): Promise<PasskeyRow[]> {
  return db
    .selectFrom('passkeys')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('created_at', '<', at)
    .where((eb) => eb.or([eb('removed_at', 'is', null), eb('removed_at', '>=', at)]))
    .orderBy('created_at')
    .execute();
}

/** When a passkey was registered; recovery codes issued with a first passkey are written in the same transaction. */
export async function passkeyAddedAt(db: Executor, accountId: string, id: string): Promise<string | undefined> {
  return (
    await db
      .selectFrom('passkeys')
      .select('created_at')
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst()
  )?.created_at;
}

export function findPasskeyByCredentialId(db: Executor, credentialId: string): Promise<PasskeyRow | undefined> {
  return db
    .selectFrom('passkeys')
    .selectAll()
    .where('credential_id', '=', credentialId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
}

export async function insertPasskey(db: Executor, row: Insertable<PasskeysTable>): Promise<void> {
  await db.insertInto('passkeys').values(row).execute();
}

export async function notePasskeyUse(db: Executor, id: string, counter: number, at: string): Promise<void> {
  await db.updateTable('passkeys').set({ counter, last_used_at: at }).where('id', '=', id).execute();
}

export async function renamePasskey(db: Executor, accountId: string, id: string, name: string): Promise<number> {
  const result = await db
    .updateTable('passkeys')
    .set({ name })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function insertChallenge(
  db: Executor,
  row: { challenge_hash: string; purpose: string; account_id: string | null; created_at: string; expires_at: string },
): Promise<void> {
  await db.insertInto('webauthn_challenges').values(row).execute();
}

/** Uses a challenge once (atomic, like one-time tokens); returns its account, or undefined. */
export function consumeChallenge(
  db: Executor,
  challengeHash: string,
  purpose: string,
  now: string,
): Promise<{ account_id: string | null } | undefined> {
  return db
    .updateTable('webauthn_challenges')
    .set({ used_at: now })
    .where('challenge_hash', '=', challengeHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('account_id')
    .executeTakeFirst();
}

/** Every passkey the account ever had, removed ones too (their public keys are kept): a proof is judged, not filtered. */
export function everyPasskeyOf(db: Executor, accountId: string): Promise<PasskeyRow[]> {
  return db.selectFrom('passkeys').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
}
