import { verify } from '@node-rs/argon2';
import { type HashFamily, refuse } from './types.ts';

const PHC =
  /^\$(argon2id|argon2i)\$(?:v=(16|19)\$)?m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{16,})$/;

/** Upper bounds on what an imported hash may make a sign-in spend (OWASP's own is m=19456, t=2). */
const MAX_MEMORY_KIB = 262_144;
const MAX_TIME = 16;
const MAX_PARALLELISM = 16;

/** argon2id and argon2i in the PHC string form (PHP's password_hash, Laravel, libsodium, Auth0 exports). */
export const argon2Family: HashFamily = {
  formats: ['argon2id', 'argon2i'],
  parse(format, hash, salt) {
    if (salt) return refuse('SALT_NOT_EXPECTED', 'an argon2 PHC string carries its own salt');
    const match = PHC.exec(hash);
    if (!match) return refuse('MALFORMED_HASH', `not an ${format} PHC string ($${format}$v=19$m=…,t=…,p=…$salt$hash)`);
    if (match[1] !== format) return refuse('MALFORMED_HASH', `the string is ${match[1]}, not ${format}`);
    const [memory, time, parallelism] = [Number(match[3]), Number(match[4]), Number(match[5])];
    if (memory < 8 * parallelism || memory > MAX_MEMORY_KIB || time < 1 || time > MAX_TIME)
      return refuse('COST_OUT_OF_RANGE', `m must be ${8 * parallelism}..${MAX_MEMORY_KIB} KiB and t 1..${MAX_TIME}`);
    if (parallelism < 1 || parallelism > MAX_PARALLELISM)
      return refuse('COST_OUT_OF_RANGE', `p must be 1..${MAX_PARALLELISM}`);
    return {
      ok: true,
      hash: { format, hash },
      checker: {
        weak: false,
        needs: null,
        verify: (password) => verify(hash, password).catch(() => false),
      },
    };
  },
};
