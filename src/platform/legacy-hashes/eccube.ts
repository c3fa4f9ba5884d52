import { createHash, createHmac } from 'node:crypto';
import { HEX, MAX_SALT_LENGTH, sameHex } from './bytes.ts';
import { type HashFamily, refuse } from './types.ts';

/**
 * EC-CUBE 4 (PasswordEncoder, auth type HMAC with its default sha256): hex HMAC-SHA256 of
 * `password + ':' + AUTH_MAGIC`, keyed by the customer's salt (dtb_customer.salt). `eccube-sha1` is the
 * unsalted form kept from EC-CUBE 2.11 and older: hex SHA-1 of `password + ':' + AUTH_MAGIC`. Both need
 * the shop's AUTH_MAGIC and both are weak: one fast hash, no stretching.
 */
export const eccubeFamily: HashFamily = {
  formats: ['eccube', 'eccube-sha1'],
  parse(format, hash, salt) {
    const salted = format === 'eccube';
    const hexLength = salted ? 64 : 40;
    if (hash.length !== hexLength || !HEX.test(hash))
      return refuse('MALFORMED_HASH', `an ${format} hash is ${hexLength} hexadecimal characters`);
    if (salted && !salt) return refuse('SALT_REQUIRED', 'EC-CUBE 4 keeps a salt for each customer: give it');
    if (!salted && salt)
      return refuse('SALT_NOT_EXPECTED', 'the unsalted EC-CUBE form has no salt (a salted one is format eccube)');
    if (salt && salt.length > MAX_SALT_LENGTH) return refuse('TOO_LONG', 'the salt is too long');
    const stored = hash.toLowerCase();
    return {
      ok: true,
      hash: salted ? { format, hash: stored, salt: salt as string } : { format, hash: stored },
      checker: {
        weak: true,
        needs: 'eccubeAuthMagic',
        verify: async (password, keys) => {
          if (!keys.eccubeAuthMagic) return false;
          const data = `${password}:${keys.eccubeAuthMagic}`;
          const computed = salted
            ? createHmac('sha256', salt as string)
                .update(data, 'utf8')
                .digest('hex')
            : createHash('sha1').update(data, 'utf8').digest('hex');
          return sameHex(computed, stored);
        },
      },
    };
  },
};
