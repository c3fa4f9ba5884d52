import type { LegacyProfile } from '../../platform/legacy-sign-in.ts';
import { findAccountByEmail, updateAccount, type AccountRow } from '../../store/accounts.ts';
import { accountIdsByShopIds, deleteImportedPassword } from '../../store/imported-accounts.ts';
import type { ServiceDeps } from '../deps.ts';
import { importRow } from './import-row.ts';
import { insertNewAccounts } from './new-accounts.ts';

/**
 * The account the shop's old system vouched for (live trickle migration): made as an import of one row
 * would make it, its "imported" entry naming the old system, then given the Mamori argon2id hash of the
 * password just typed, in one transaction. null when the profile cannot be imported (a field the import
 * schema refuses, or a shop id already given to another account): the sign-in then fails as for any
 * unknown address.
 */
export async function createLegacyAccount(
  deps: ServiceDeps,
  email: string,
  profile: LegacyProfile,
  password: string,
): Promise<AccountRow | null> {
  const legacy = deps.config.legacySignIn;
  if (!legacy) return null;
  const parsed = importRow.safeParse({ ...profile, email });
  if (!parsed.success) return null;
  const passwordHash = await deps.hasher.hash(password);
  const now = deps.clock.now().toISOString();
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const taken = await accountIdsByShopIds(trx, legacy.clientId, [parsed.data.shopCustomerId]);
      if (taken.size > 0) return null;
      const source = `legacy sign-in at ${new URL(legacy.url).host}`;
      await insertNewAccounts(
        trx,
        deps,
        [{ line: 0, row: parsed.data, email, hash: null }],
        legacy.clientId,
        now,
        source,
      );
      const account = (await findAccountByEmail(trx, email)) as AccountRow;
      await updateAccount(trx, account.id, { password_hash: passwordHash });
      await deleteImportedPassword(trx, account.id);
      return { ...account, password_hash: passwordHash };
    });
  } catch (error) {
    // Two sign-ins for the same new address at once: the other one made it; this password is checked against it.
    const made = await findAccountByEmail(deps.db, email);
    if (!made) throw error;
    return (await deps.hasher.verify(made.password_hash, password)) ? made : null;
  }
}
