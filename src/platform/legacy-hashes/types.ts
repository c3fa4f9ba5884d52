import { z } from 'zod';

/** Every format an import may name, as written in the import file's `password.format`. */
export const IMPORTED_HASH_FORMATS = [
  'argon2id',
  'argon2i',
  'bcrypt',
  'wordpress',
  'phpass',
  'eccube',
  'eccube-sha1',
  'magento2',
  'django-pbkdf2-sha256',
  'pbkdf2-sha256',
  'pbkdf2-sha512',
  'scrypt',
  'firebase-scrypt',
  'md5-salt-password',
  'md5-password-salt',
  'sha1-salt-password',
  'sha1-password-salt',
  'sha256-salt-password',
  'sha256-password-salt',
] as const;
export type ImportedHashFormat = (typeof IMPORTED_HASH_FORMATS)[number];

/**
 * An imported password hash as it is kept until its first right password replaces it: plain data (it is
 * stored), normalised by `parseImportedHash`, which is the only way to get one.
 */
export interface ImportedHash {
  readonly format: ImportedHashFormat;
  readonly hash: string;
  /** The per-customer salt where the format keeps it beside the hash (EC-CUBE, Firebase, salted digests). */
  readonly salt?: string;
}

/** Why an import row's hash is refused: a stable code for the importer, and a sentence for the operator. */
export const REFUSAL_CODES = [
  'UNKNOWN_FORMAT',
  'MALFORMED_HASH',
  'SALT_REQUIRED',
  'SALT_NOT_EXPECTED',
  'COST_OUT_OF_RANGE',
  'TOO_LONG',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];
export interface Refusal {
  readonly code: RefusalCode;
  readonly detail: string;
}

/**
 * Shop-wide secrets some formats need beside each hash. The importer takes them once and keeps them
 * sealed (SecretBox) until no account needs them; sign-in opens them and passes them here.
 */
export const firebaseKeysSchema = z.strictObject({
  /** base64_signer_key of the project's password hash parameters */
  signerKey: z.base64().min(4).max(1024),
  /** base64_salt_separator */
  saltSeparator: z.base64().max(256),
  rounds: z.int().min(1).max(8),
  memCost: z.int().min(1).max(14),
});
export const legacyKeysSchema = z.strictObject({
  /** EC-CUBE's AUTH_MAGIC (eccube_auth_magic in its .env or config) */
  eccubeAuthMagic: z.string().min(1).max(256).optional(),
  firebase: firebaseKeysSchema.optional(),
});
export type FirebaseKeys = z.infer<typeof firebaseKeysSchema>;
export type LegacyKeys = z.infer<typeof legacyKeysSchema>;
export type LegacyKeyName = keyof LegacyKeys;

/** What a family's parser makes of one valid hash: how to check a password against it, nothing else. */
export interface Checker {
  /** Never throws: false for a wrong password, a missing key or anything unexpected. */
  verify(password: string, keys: LegacyKeys): Promise<boolean>;
  /** A fast, unstretched or broken construction: the account is asked for a new password sooner. */
  readonly weak: boolean;
  /** The shop-wide key this hash cannot be checked without. */
  readonly needs: LegacyKeyName | null;
}

export type Parsed = { ok: true; hash: ImportedHash; checker: Checker } | { ok: false; refusal: Refusal };

/** One family of formats: parses (and so validates) a hash; it has no way to make one. */
export interface HashFamily {
  readonly formats: readonly ImportedHashFormat[];
  parse(format: ImportedHashFormat, hash: string, salt: string | undefined): Parsed;
}

export const refuse = (code: RefusalCode, detail: string): Parsed => ({ ok: false, refusal: { code, detail } });
