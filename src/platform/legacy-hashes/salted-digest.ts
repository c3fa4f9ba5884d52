import { createHash } from 'node:crypto';
import { HEX, MAX_SALT_LENGTH, sameHex } from './bytes.ts';
import { type HashFamily, type ImportedHashFormat, refuse } from './types.ts';

const ALGORITHMS = { md5: 32, sha1: 40, sha256: 64 } as const;
type Algorithm = keyof typeof ALGORITHMS;

function shape(format: ImportedHashFormat): { algorithm: Algorithm; saltFirst: boolean } {
  const [algorithm, order] = format.split(/-(.*)/s) as [Algorithm, string];
  return { algorithm, saltFirst: order === 'salt-password' };
}

/**
 * The worst legacy: one MD5, SHA-1 or SHA-256 of salt and password, in the order the format names
 * (`md5-salt-password` = md5(salt + password)), hex. Accepted so nobody has to reset, and weak. An empty
 * salt is a bare digest.
 */
export const saltedDigestFamily: HashFamily = {
  formats: [
    'md5-salt-password',
    'md5-password-salt',
    'sha1-salt-password',
    'sha1-password-salt',
    'sha256-salt-password',
    'sha256-password-salt',
  ],
  parse(format, hash, salt = '') {
    const { algorithm, saltFirst } = shape(format);
    const hexLength = ALGORITHMS[algorithm];
    if (hash.length !== hexLength || !HEX.test(hash))
      return refuse('MALFORMED_HASH', `a ${algorithm} digest is ${hexLength} hexadecimal characters`);
    if (salt.length > MAX_SALT_LENGTH) return refuse('TOO_LONG', 'the salt is too long');
    const stored = hash.toLowerCase();
    return {
      ok: true,
      hash: { format, hash: stored, salt },
      checker: {
        weak: true,
        needs: null,
        verify: async (password) => {
          const data = saltFirst ? salt + password : password + salt;
          return sameHex(createHash(algorithm).update(data, 'utf8').digest('hex'), stored);
        },
      },
    };
  },
};
