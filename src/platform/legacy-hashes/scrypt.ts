import { scrypt } from 'node:crypto';
import { decodeAb64, isCanonicalAb64, sameBytes } from './bytes.ts';
import { type HashFamily, refuse } from './types.ts';

/** The most memory (128 · N · r · p bytes) an imported scrypt hash may make one sign-in take. */
export const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

/** scrypt from Node's crypto, as a promise; `maxmem` is set to what the parameters need, never more. */
export function deriveScrypt(
  password: Buffer,
  salt: Buffer,
  length: number,
  cost: { N: number; r: number; p: number },
): Promise<Buffer> {
  const maxmem = 128 * cost.N * cost.r * cost.p + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password, salt, length, { ...cost, maxmem }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/.]{0,128})\$([A-Za-z0-9+/.]{22,128})$/;

/** `$scrypt$ln=…,r=…,p=…$salt$hash` as passlib writes it (adapted base64) or the PHC standard (base64). */
export const scryptFamily: HashFamily = {
  formats: ['scrypt'],
  parse(format, hash, salt) {
    if (salt) return refuse('SALT_NOT_EXPECTED', 'a $scrypt$ string carries its own salt');
    const match = PHC.exec(hash);
    if (!match) return refuse('MALFORMED_HASH', 'a scrypt hash is $scrypt$ln=…,r=…,p=…$salt$hash');
    const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const [saltText, checksumText] = [match[4] as string, match[5] as string];
    const [saltBytes, expected] = [decodeAb64(saltText), decodeAb64(checksumText)];
    if (!isCanonicalAb64(saltText, saltBytes) || !isCanonicalAb64(checksumText, expected))
      return refuse('MALFORMED_HASH', 'the salt or hash is not base64');
    if (ln < 1 || ln > 20 || r < 1 || p < 1 || 128 * 2 ** ln * r * p > MAX_SCRYPT_MEMORY)
      return refuse('COST_OUT_OF_RANGE', `ln=${ln},r=${r},p=${p} needs more than ${MAX_SCRYPT_MEMORY >> 20} MiB`);
    const cost = { N: 2 ** ln, r, p };
    return {
      ok: true,
      hash: { format, hash },
      checker: {
        weak: false,
        needs: null,
        verify: async (password) =>
          sameBytes(await deriveScrypt(Buffer.from(password, 'utf8'), saltBytes, expected.length, cost), expected),
      },
    };
  },
};
