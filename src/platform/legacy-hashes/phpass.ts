import { hash as digestOf } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { phpTrim, sameBytes } from './bytes.ts';
import { type HashFamily, refuse } from './types.ts';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PORTABLE = /^\$[PH]\$[./0-9A-Za-z]{31}$/;
const MIN_LOG2 = 7;
/** WordPress writes 13 (2^13 MD5 rounds), phpBB 11; phpass allows 30, which would stall a sign-in. */
const MAX_LOG2 = 16;
const YIELD_EVERY = 2048;

/** phpass's own base64: 6 bits at a time, least significant first, over its ./0-9A-Za-z alphabet. */
function encode64(input: Buffer): string {
  let output = '';
  for (let i = 0; i < input.length; i += 3) {
    const value = (input[i] ?? 0) | ((input[i + 1] ?? 0) << 8) | ((input[i + 2] ?? 0) << 16);
    const chars = Math.min(4, Math.ceil(((input.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) output += ITOA64[(value >> (6 * c)) & 0x3f];
  }
  return output;
}

/**
 * phpass portable hashes, `$P$` (WordPress before 6.8, WooCommerce) and `$H$` (phpBB 3): MD5 of salt and
 * password, then 2^n rounds of MD5 of the last digest and the password. Weak: MD5 is fast on a GPU. The
 * typed password is trimmed as WordPress's sign-in does.
 */
export const phpassFamily: HashFamily = {
  formats: ['phpass'],
  parse(format, hash, salt) {
    if (salt) return refuse('SALT_NOT_EXPECTED', 'a phpass hash carries its own salt');
    if (!PORTABLE.exec(hash)) return refuse('MALFORMED_HASH', 'a phpass hash is $P$ or $H$ and 31 characters');
    const log2 = ITOA64.indexOf(hash.charAt(3));
    if (log2 < MIN_LOG2 || log2 > MAX_LOG2)
      return refuse('COST_OUT_OF_RANGE', `2^${log2} rounds is outside 2^${MIN_LOG2}..2^${MAX_LOG2}`);
    const setting = hash.slice(4, 12);
    const expected = Buffer.from(hash.slice(12), 'latin1');
    return {
      ok: true,
      hash: { format, hash },
      checker: {
        weak: true,
        needs: null,
        verify: async (typed) => {
          const password = Buffer.from(phpTrim(typed), 'utf8');
          const block = Buffer.concat([Buffer.from(setting, 'latin1'), password]);
          let digest = digestOf('md5', block, 'buffer');
          const round = Buffer.concat([digest, password]);
          for (let left = 1 << log2; left > 0; left--) {
            digest.copy(round);
            digest = digestOf('md5', round, 'buffer');
            // Thousands of MD5s in a row: let other requests run between slices of them.
            if (left % YIELD_EVERY === 0) await nextTurn();
          }
          return sameBytes(Buffer.from(encode64(digest), 'latin1'), expected);
        },
      },
    };
  },
};
