import { createCipheriv } from 'node:crypto';
import { BASE64, sameBytes } from './bytes.ts';
import { deriveScrypt } from './scrypt.ts';
import { type HashFamily, refuse } from './types.ts';

/**
 * Firebase Authentication's modified scrypt (github.com/firebase/scrypt): scrypt of the password with the
 * user's salt followed by the project's salt separator (N = 2^mem_cost, r = rounds, p = 1, 64 bytes);
 * the first 32 bytes key AES-256-CTR (zero counter) that encrypts the project's signer key; the result,
 * base64, is the exported hash. The signer key and the other parameters come from the project's
 * "Password hash parameters" and are kept sealed like AUTH_MAGIC.
 */
export const firebaseFamily: HashFamily = {
  formats: ['firebase-scrypt'],
  parse(format, hash, salt) {
    if (!BASE64.test(hash) || hash.length < 8 || hash.length > 344)
      return refuse('MALFORMED_HASH', 'a Firebase passwordHash is base64');
    if (!salt) return refuse('SALT_REQUIRED', 'Firebase exports a salt for each user (its passwordSalt): give it');
    if (!BASE64.test(salt) || salt.length > 344) return refuse('MALFORMED_HASH', 'the Firebase salt is base64');
    const expected = Buffer.from(hash, 'base64');
    const userSalt = Buffer.from(salt, 'base64');
    return {
      ok: true,
      hash: { format, hash, salt },
      checker: {
        weak: false,
        needs: 'firebase',
        verify: async (password, keys) => {
          const project = keys.firebase;
          if (!project) return false;
          const signerKey = Buffer.from(project.signerKey, 'base64');
          if (signerKey.length !== expected.length) return false;
          const derived = await deriveScrypt(
            Buffer.from(password, 'utf8'),
            Buffer.concat([userSalt, Buffer.from(project.saltSeparator, 'base64')]),
            64,
            { N: 2 ** project.memCost, r: project.rounds, p: 1 },
          );
          const cipher = createCipheriv('aes-256-ctr', derived.subarray(0, 32), Buffer.alloc(16));
          return sameBytes(Buffer.concat([cipher.update(signerKey), cipher.final()]), expected);
        },
      },
    };
  },
};
