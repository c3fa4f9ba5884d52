import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** Signatures remembered per key before the memo starts again: a few per sign-in in flight. */
const REMEMBERED = 4096;

type SigningKey = { key: KeyObject; signed: Map<string, string> };

/**
 * The provider's cookie signatures as Keygrip makes them (HMAC-SHA1 of `name=value`, URL-safe base64
 * without padding, signed with the first key, any key accepted so a rotated one still reads), checked in
 * constant time with timingSafeEqual. Keygrip's own comparison (tsscmp) draws a random key and computes
 * two more HMACs for every check: more than half of what reading the provider's signed cookies cost on
 * each step of a shop's sign-in.
 *
 * A signature is a pure function of the key and the data, and the keys never change in a process, so each
 * key remembers the signatures it made: the provider signs a cookie when it sets it and checks the same
 * `name=value` on the next steps (the interaction's on its page and its form, the resume's at the resume),
 * and signs the same cleared cookie on every sign-in. A check still compares the given signature with the
 * one computed (or remembered) in constant time.
 */
export class CookieKeys {
  private readonly keys: SigningKey[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error('cookie keys: at least one key is needed');
    this.keys = keys.map((key) => ({ key: createSecretKey(Buffer.from(key, 'utf8')), signed: new Map() }));
  }

  sign(data: string): string {
    return signatureOf(this.keys[0] as SigningKey, data);
  }

  /** How many signatures the keys remember: what the provider signed, never what a request brought. */
  get remembered(): number {
    return this.keys.reduce((sum, key) => sum + key.signed.size, 0);
  }

  verify(data: string, digest: string): boolean {
    return this.index(data, digest) > -1;
  }

  /** Which key made this signature, or -1 when none did. */
  index(data: string, digest: string): number {
    const given = Buffer.from(String(digest));
    for (const [i, key] of this.keys.entries()) {
      const expected = Buffer.from(key.signed.get(data) ?? hmacOf(key, data));
      if (given.length === expected.length && timingSafeEqual(given, expected)) return i;
    }
    return -1;
  }
}

/** Only what the provider signs is remembered: a value a request brings to be checked never fills the memo. */
function signatureOf(key: SigningKey, data: string): string {
  let signature = key.signed.get(data);
  if (signature === undefined) {
    signature = hmacOf(key, data);
    if (key.signed.size >= REMEMBERED) key.signed.clear();
    key.signed.set(data, signature);
  }
  return signature;
}

function hmacOf(key: SigningKey, data: string): string {
  return createHmac('sha1', key.key).update(data).digest('base64url');
}
