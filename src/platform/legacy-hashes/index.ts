import { argon2Family } from './argon2.ts';
import { bcryptFamily } from './bcrypt.ts';
import { MAX_HASH_LENGTH, MAX_PASSWORD_BYTES } from './bytes.ts';
import { eccubeFamily } from './eccube.ts';
import { firebaseFamily } from './firebase.ts';
import { magentoFamily } from './magento.ts';
import { pbkdf2Family } from './pbkdf2.ts';
import { phpassFamily } from './phpass.ts';
import { saltedDigestFamily } from './salted-digest.ts';
import { scryptFamily } from './scrypt.ts';
import {
  type HashFamily,
  type ImportedHash,
  type ImportedHashFormat,
  IMPORTED_HASH_FORMATS,
  type LegacyKeyName,
  type LegacyKeys,
  type Parsed,
  type Refusal,
  refuse,
} from './types.ts';
import { wordpressFamily } from './wordpress.ts';

export {
  IMPORTED_HASH_FORMATS,
  REFUSAL_CODES,
  legacyKeysSchema,
  firebaseKeysSchema,
  type ImportedHash,
  type ImportedHashFormat,
  type LegacyKeys,
  type LegacyKeyName,
  type FirebaseKeys,
  type Refusal,
  type RefusalCode,
} from './types.ts';

/**
 * Password hashes brought in by an import, in the formats shops export (docs/import-hash-formats.md).
 * This module only checks a password against such a hash: nothing here makes one, so Mamori can never
 * write a legacy hash; the first right password is re-hashed to argon2id by the caller.
 */

const FAMILIES: readonly HashFamily[] = [
  argon2Family,
  bcryptFamily,
  wordpressFamily,
  phpassFamily,
  eccubeFamily,
  magentoFamily,
  pbkdf2Family,
  scryptFamily,
  firebaseFamily,
  saltedDigestFamily,
];
const BY_FORMAT = new Map<ImportedHashFormat, HashFamily>(
  FAMILIES.flatMap((family) => family.formats.map((format) => [format, family] as const)),
);

const isFormat = (format: string): format is ImportedHashFormat =>
  (IMPORTED_HASH_FORMATS as readonly string[]).includes(format);

function parse(format: string, hash: string, salt: string | undefined): Parsed {
  if (!isFormat(format)) return refuse('UNKNOWN_FORMAT', `unknown hash format "${format.slice(0, 40)}"`);
  if (hash.length === 0) return refuse('MALFORMED_HASH', 'the hash is empty');
  if (hash.length > MAX_HASH_LENGTH) return refuse('TOO_LONG', `the hash is longer than ${MAX_HASH_LENGTH}`);
  const family = BY_FORMAT.get(format) as HashFamily;
  return family.parse(format, hash, salt === '' ? undefined : salt);
}

/**
 * Validates one imported hash (used by the importer for every row): the normalised hash to store, or why
 * it is refused. Costs are bounded so that no imported hash can make a sign-in spend more than a
 * fraction of a second.
 */
export function parseImportedHash(
  format: string,
  hash: string,
  salt?: string,
): { ok: true; hash: ImportedHash } | { ok: false; refusal: Refusal } {
  const parsed = parse(format, hash, salt);
  return parsed.ok ? { ok: true, hash: parsed.hash } : parsed;
}

/**
 * Checks a typed password against an imported hash, in the format's own way, comparing in constant
 * time. Never throws: a wrong password, a hash that no longer parses, a missing shop key or a password
 * longer than 4096 bytes are all `false`. Callers run it behind the same throttles as a native check.
 */
export async function verifyImportedPassword(
  imported: ImportedHash,
  password: string,
  keys: LegacyKeys,
): Promise<boolean> {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return false;
  const parsed = parse(imported.format, imported.hash, imported.salt);
  if (!parsed.ok) return false;
  try {
    return (await parsed.checker.verify(password, keys)) === true;
  } catch {
    return false;
  }
}

/**
 * True for constructions an attacker with the old database cracks fast (one unstretched digest, MD5
 * rounds): the account is asked for a new password once signed in, and the import says so.
 */
export function isWeak(imported: ImportedHash): boolean {
  const parsed = parse(imported.format, imported.hash, imported.salt);
  return !parsed.ok || parsed.checker.weak;
}

/** The shop-wide key a hash cannot be checked without (the importer refuses rows whose key it lacks). */
export function neededKey(imported: ImportedHash): LegacyKeyName | null {
  const parsed = parse(imported.format, imported.hash, imported.salt);
  return parsed.ok ? parsed.checker.needs : null;
}
