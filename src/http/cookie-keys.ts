import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * The provider's cookie signatures as Keygrip makes them (HMAC-SHA1 of `name=value`, URL-safe base64
 * without padding, signed with the first key, any key accepted so a rotated one still reads), checked in
 * constant time with timingSafeEqual. Keygrip's own comparison (tsscmp) draws a random key and computes
 * two more HMACs for every check: more than half of what reading the provider's signed cookies cost on
 * each step of a shop's sign-in.
 */
export class CookieKeys {
  private readonly keys: KeyObject[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error('cookie keys: at least one key is needed');
    this.keys = keys.map((key) => createSecretKey(Buffer.from(key, 'utf8')));
  }

  sign(data: string): string {
    return signWith(this.keys[0] as KeyObject, data);
  }

  verify(data: string, digest: string): boolean {
    return this.index(data, digest) > -1;
  }

  /** Which key made this signature, or -1 when none did. */
  index(data: string, digest: string): number {
    const given = Buffer.from(String(digest));
    for (const [i, key] of this.keys.entries()) {
      const expected = Buffer.from(signWith(key, data));
      if (given.length === expected.length && timingSafeEqual(given, expected)) return i;
    }
    return -1;
  }
}

function signWith(key: KeyObject, data: string): string {
  return createHmac('sha1', key).update(data).digest('base64url');
}
