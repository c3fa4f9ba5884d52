import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { AB64, BASE64, decodeAb64, isCanonicalAb64, sameBytes } from './bytes.ts';
import { type Checker, type HashFamily, refuse } from './types.ts';

const derive = promisify(pbkdf2);
/** Django 5.1 writes 870,000; more than this would let one sign-in hold a core for seconds. */
const MAX_ITERATIONS = 2_000_000;

const DJANGO = /^pbkdf2_sha256\$(\d{1,8})\$([^$]{1,128})\$([A-Za-z0-9+/=]{44})$/;
const PASSLIB = /^\$pbkdf2-(sha256|sha512)\$(\d{1,8})\$([A-Za-z0-9+/.]{0,128})\$([A-Za-z0-9+/.]{43,86})$/;

function checker(digest: 'sha256' | 'sha512', iterations: number, salt: Buffer, expected: Buffer): Checker {
  return {
    weak: false,
    needs: null,
    verify: async (password) => {
      const computed = await derive(Buffer.from(password, 'utf8'), salt, iterations, expected.length, digest);
      return sameBytes(computed, expected);
    },
  };
}

const iterationsRefusal = (iterations: number) =>
  iterations < 1 || iterations > MAX_ITERATIONS
    ? refuse('COST_OUT_OF_RANGE', `${iterations} iterations is outside 1..${MAX_ITERATIONS}`)
    : null;

/**
 * PBKDF2: Django's `pbkdf2_sha256$iterations$salt$base64` (the salt used as its text) and passlib's
 * `$pbkdf2-sha256$` / `$pbkdf2-sha512$` (salt and checksum in adapted base64, the salt used as bytes).
 */
export const pbkdf2Family: HashFamily = {
  formats: ['django-pbkdf2-sha256', 'pbkdf2-sha256', 'pbkdf2-sha512'],
  parse(format, hash, salt) {
    if (salt) return refuse('SALT_NOT_EXPECTED', 'a PBKDF2 string carries its own salt');
    if (format === 'django-pbkdf2-sha256') {
      const match = DJANGO.exec(hash);
      const expected = match ? Buffer.from(match[3] as string, 'base64') : null;
      if (!match || !expected || !BASE64.test(match[3] as string) || expected.length !== 32)
        return refuse('MALFORMED_HASH', 'a Django hash is pbkdf2_sha256$iterations$salt$base64 of 32 bytes');
      const iterations = Number(match[1]);
      const tooMuch = iterationsRefusal(iterations);
      if (tooMuch) return tooMuch;
      return {
        ok: true,
        hash: { format, hash },
        checker: checker('sha256', iterations, Buffer.from(match[2] as string, 'utf8'), expected),
      };
    }
    const match = PASSLIB.exec(hash);
    const digest = format === 'pbkdf2-sha512' ? 'sha512' : 'sha256';
    const length = digest === 'sha512' ? 64 : 32;
    if (!match || match[1] !== digest)
      return refuse('MALFORMED_HASH', `a ${format} hash is $${format}$rounds$salt$checksum (adapted base64)`);
    const [saltText, checksumText] = [match[3] as string, match[4] as string];
    const [saltBytes, expected] = [decodeAb64(saltText), decodeAb64(checksumText)];
    if (!AB64.test(saltText) || !isCanonicalAb64(saltText, saltBytes) || !isCanonicalAb64(checksumText, expected))
      return refuse('MALFORMED_HASH', 'the salt or checksum is not adapted base64');
    if (expected.length !== length) return refuse('MALFORMED_HASH', `the checksum must be ${length} bytes`);
    const iterations = Number(match[2]);
    const tooMuch = iterationsRefusal(iterations);
    if (tooMuch) return tooMuch;
    return { ok: true, hash: { format, hash }, checker: checker(digest, iterations, saltBytes, expected) };
  },
};
