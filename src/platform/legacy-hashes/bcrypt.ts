import { verify } from '@node-rs/bcrypt';
import { type HashFamily, refuse } from './types.ts';

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const MIN_COST = 4;
/** 2^16 rounds take seconds; a higher cost in an import would let one sign-in hold a core. */
export const MAX_BCRYPT_COST = 16;

/** The cost of a bcrypt string, or a refusal. Shared with WordPress 6.8's `$wp$`, which wraps one. */
export function bcryptProblem(hash: string): string | null {
  const match = BCRYPT.exec(hash);
  if (!match) return 'not a bcrypt string ($2a$/$2b$/$2y$, two-digit cost, 53 characters of salt and hash)';
  const cost = Number(match[1]);
  if (cost < MIN_COST || cost > MAX_BCRYPT_COST) return `cost ${cost} is outside ${MIN_COST}..${MAX_BCRYPT_COST}`;
  return null;
}

/**
 * Checks as PHP's password_verify does: the first 72 bytes count, the rest is ignored (that is the
 * algorithm, and what a shop's customers were told their password was). A NUL byte would cut the password
 * short in PHP's C code; such a password is refused here instead.
 */
export function verifyBcrypt(password: string | Buffer, hash: string): Promise<boolean> {
  const bytes = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  if (bytes.includes(0)) return Promise.resolve(false);
  return verify(bytes, hash).catch(() => false);
}

/** bcrypt `$2a$`, `$2b$`, `$2y$` (Laravel, Rails' has_secure_password, Auth0 and most PHP exports). */
export const bcryptFamily: HashFamily = {
  formats: ['bcrypt'],
  parse(format, hash, salt) {
    if (salt) return refuse('SALT_NOT_EXPECTED', 'a bcrypt string carries its own salt');
    const problem = bcryptProblem(hash);
    if (problem) return refuse(problem.startsWith('cost') ? 'COST_OUT_OF_RANGE' : 'MALFORMED_HASH', problem);
    return {
      ok: true,
      hash: { format, hash },
      checker: { weak: false, needs: null, verify: (password) => verifyBcrypt(password, hash) },
    };
  },
};
