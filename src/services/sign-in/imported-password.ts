import {
  isWeak,
  parseImportedHash,
  verifyImportedPassword,
  type ImportedHash,
} from '../../platform/legacy-hashes/index.ts';
import { updateAccount, type AccountRow } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import { deleteImportedPassword, findImportedPassword } from '../../store/imported-accounts.ts';
import type { ServiceDeps } from '../deps.ts';
import { forgetUnneededKeys, openImportKeys } from '../import/import-keys.ts';
import { passwordUpgradeNeeded } from './password-upgrade.ts';

/**
 * An account a shop brought with a hash in its own format (issue 26): the typed password is checked the
 * format's way, in the hasher's queue. The first right one is re-hashed to argon2id and the imported hash,
 * its format and (once no account of that shop needs it) the sealed shop key are forgotten, in one
 * transaction. Returns the account with its new hash, or null (wrong password, or no imported hash).
 */
export async function migrateImportedPassword(
  deps: ServiceDeps,
  account: AccountRow,
  password: string,
): Promise<AccountRow | null | 'not-imported'> {
  const imported = await findImportedPassword(deps.db, account.id);
  if (!imported?.format || !imported.hash) return 'not-imported';
  const parsed = parseImportedHash(imported.format, imported.hash, imported.salt ?? undefined);
  const hash: ImportedHash | null = parsed.ok ? parsed.hash : null;
  const keys = await openImportKeys(deps.db, deps.secrets, imported.client_id);
  const ok = await deps.hasher.verifyOther(
    async () => (hash ? verifyImportedPassword(hash, password, keys) : false),
    hash ? isWeak(hash) : true,
  );
  if (!ok) return null;
  const passwordHash = await deps.hasher.hash(password);
  const upgrade = passwordUpgradeNeeded(deps, account, password, hash ? isWeak(hash) : false);
  const now = deps.clock.now().toISOString();
  const migrated = await deps.db.transaction().execute(async (trx) => {
    // Two right passwords at once: only the one that removes the imported hash writes the new one.
    if (!(await forgetImportedPassword(trx, account.id))) return false;
    await updateAccount(trx, account.id, { password_hash: passwordHash, password_upgrade: upgrade, updated_at: now });
    return true;
  });
  if (migrated) deps.log.info({ event: 'imported_password_migrated', accountId: account.id, format: imported.format });
  return { ...account, password_hash: passwordHash, password_upgrade: upgrade, updated_at: now };
}

/**
 * Forgets an account's imported hash (its first right password, or a reset by link) and each sealed shop
 * key no account of that shop needs any more. False when there was none.
 */
export async function forgetImportedPassword(trx: Executor, accountId: string): Promise<boolean> {
  const imported = await findImportedPassword(trx, accountId);
  if (!imported || !(await deleteImportedPassword(trx, accountId))) return false;
  await forgetUnneededKeys(trx, imported.client_id);
  return true;
}
