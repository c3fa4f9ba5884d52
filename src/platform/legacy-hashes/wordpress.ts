import { createHmac } from 'node:crypto';
import { bcryptProblem, verifyBcrypt } from './bcrypt.ts';
import { phpTrim } from './bytes.ts';
import { type HashFamily, refuse } from './types.ts';

/**
 * WordPress 6.8+: `$wp` + bcrypt over base64(HMAC-SHA384(key "wp-sha384", password)), so a long
 * passphrase keeps its entropy past bcrypt's 72 bytes. A WordPress sign-in trims the typed password with
 * PHP's trim() before checking it (wp_authenticate), and so does this.
 */
export const wordpressFamily: HashFamily = {
  formats: ['wordpress'],
  parse(format, hash, salt) {
    if (salt) return refuse('SALT_NOT_EXPECTED', 'a WordPress hash carries its own salt');
    if (!hash.startsWith('$wp$')) return refuse('MALFORMED_HASH', 'a WordPress 6.8 hash starts with $wp$2y$');
    const inner = hash.slice(3);
    const problem = bcryptProblem(inner);
    if (problem) return refuse(problem.startsWith('cost') ? 'COST_OUT_OF_RANGE' : 'MALFORMED_HASH', problem);
    return {
      ok: true,
      hash: { format, hash },
      checker: {
        weak: false,
        needs: null,
        verify: (password) => {
          const prehash = createHmac('sha384', 'wp-sha384').update(phpTrim(password), 'utf8').digest('base64');
          return verifyBcrypt(prehash, inner);
        },
      },
    };
  },
};
