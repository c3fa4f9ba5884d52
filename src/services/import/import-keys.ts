import { legacyKeysSchema, type LegacyKeyName, type LegacyKeys } from '../../platform/legacy-hashes/index.ts';
import type { SecretBox } from '../../platform/secret-box.ts';
import type { Executor } from '../../store/database.ts';
import {
  countImportedInFormats,
  deleteImportKey,
  findImportKeys,
  upsertImportKey,
} from '../../store/imported-accounts.ts';
import type { ImportDeps } from './deps.ts';

/** The formats that cannot be checked without each shop key: the key goes once none of them is left. */
export const FORMATS_NEEDING: Record<LegacyKeyName, readonly string[]> = {
  eccubeAuthMagic: ['eccube', 'eccube-sha1'],
  firebase: ['firebase-scrypt'],
};

/** Bound to the shop and the key's name, so a sealed key copied to another row does not open. */
const context = (clientId: string, name: string) => `import-key:${clientId}:${name}`;

/** Seals the shop keys given to an import under MAMORI_SECRET_KEY (a key given again replaces the old one). */
export async function storeImportKeys(deps: ImportDeps, clientId: string, keys: LegacyKeys): Promise<void> {
  const now = deps.clock.now().toISOString();
  for (const [name, value] of Object.entries(legacyKeysSchema.parse(keys))) {
    if (value === undefined) continue;
    await upsertImportKey(deps.db, {
      client_id: clientId,
      name,
      sealed: deps.secrets.seal(JSON.stringify(value), context(clientId, name)),
      created_at: now,
    });
  }
}

export async function storedKeyNames(db: Executor, clientId: string): Promise<LegacyKeyName[]> {
  return (await findImportKeys(db, clientId)).map((k) => k.name as LegacyKeyName);
}

/** The shop's keys, opened for one sign-in check; a key that no longer opens is left out (the check fails). */
export async function openImportKeys(db: Executor, secrets: SecretBox, clientId: string): Promise<LegacyKeys> {
  const opened: Record<string, unknown> = {};
  for (const { name, sealed } of await findImportKeys(db, clientId)) {
    try {
      opened[name] = JSON.parse(secrets.open(sealed, context(clientId, name)));
    } catch {
      // Sealed under a key no longer configured: nothing to check against.
    }
  }
  const parsed = legacyKeysSchema.safeParse(opened);
  return parsed.success ? parsed.data : {};
}

/** Drops each of the shop's keys once no imported hash of that shop needs it any more. */
export async function forgetUnneededKeys(db: Executor, clientId: string): Promise<void> {
  for (const name of await storedKeyNames(db, clientId)) {
    const formats = FORMATS_NEEDING[name];
    if (!formats) continue;
    if ((await countImportedInFormats(db, clientId, formats)) === 0) await deleteImportKey(db, clientId, name);
  }
}
