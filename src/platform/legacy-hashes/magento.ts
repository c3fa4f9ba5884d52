import { createHash } from 'node:crypto';
import { hashRaw } from '@node-rs/argon2';
import { HEX, sameHex } from './bytes.ts';
import { type HashFamily, refuse } from './types.ts';

/** libsodium's crypto_pwhash INTERACTIVE limits and seed size, which Magento's version 2 implies. */
const SODIUM_INTERACTIVE = { seed: 32, ops: 2, mem: 67_108_864 } as const;
const SODIUM_SALT_BYTES = 16;
const MAX_OPS = 10;
const MAX_MEM = 268_435_456;

type Step = { kind: 'md5' | 'sha256' } | { kind: 'argon2id'; seed: number; ops: number; mem: number };

function step(version: string): Step | string {
  if (version === '0') return { kind: 'md5' };
  if (version === '1') return { kind: 'sha256' };
  if (version === '2') return { kind: 'argon2id', ...SODIUM_INTERACTIVE };
  const agnostic = /^3_(\d{1,3})_(\d{1,3})_(\d{1,10})$/.exec(version);
  if (!agnostic) return `unknown hash version ${version.slice(0, 20)}`;
  const [seed, ops, mem] = [Number(agnostic[1]), Number(agnostic[2]), Number(agnostic[3])];
  if (seed < 16 || seed > 64 || ops < 1 || ops > MAX_OPS || mem < 8192 || mem > MAX_MEM || mem % 1024 !== 0)
    return `version ${version} asks for more than seed 16..64, ops 1..${MAX_OPS}, mem ${MAX_MEM} bytes`;
  return { kind: 'argon2id', seed, ops, mem };
}

/** Magento's salt for sodium: repeated (str_pad with itself) or cut to 16 bytes. */
function sodiumSalt(salt: string): Buffer {
  const bytes = Buffer.from(salt, 'utf8');
  if (bytes.length >= SODIUM_SALT_BYTES) return bytes.subarray(0, SODIUM_SALT_BYTES);
  return Buffer.alloc(SODIUM_SALT_BYTES, bytes);
}

async function apply(data: string, s: Step, salt: string): Promise<string> {
  if (s.kind !== 'argon2id')
    return createHash(s.kind)
      .update(salt + data, 'utf8')
      .digest('hex');
  const raw = await hashRaw(data, {
    algorithm: 2, // argon2id
    version: 1, // 0x13
    salt: sodiumSalt(salt),
    timeCost: s.ops,
    memoryCost: s.mem / 1024,
    parallelism: 1,
    outputLen: s.seed,
  });
  return raw.toString('hex');
}

function outputHexLength(s: Step): number {
  if (s.kind === 'argon2id') return s.seed * 2;
  return s.kind === 'md5' ? 32 : 64;
}

/**
 * Magento 2 `hash:salt:version` (Encryptor::getHash). Version 1 is sha256(salt + password), 2 is
 * argon2id13 through sodium's crypto_pwhash with INTERACTIVE limits, `3_seed_ops_mem` the same with its
 * limits written down, 0 (md5) survives from Magento 1. A hash upgraded in place lists each version
 * applied, oldest first (`…:salt:0:1`), each to the previous hex result. Weak unless argon2 is among them.
 */
export const magentoFamily: HashFamily = {
  formats: ['magento2'],
  parse(format, stored, extraSalt) {
    if (extraSalt) return refuse('SALT_NOT_EXPECTED', 'a Magento hash carries its salt (hash:salt:version)');
    const [hash, salt, ...versions] = stored.split(':');
    if (!hash || !HEX.test(hash) || salt === undefined || versions.length === 0 || versions.length > 4)
      return refuse('MALFORMED_HASH', 'a Magento 2 hash is hash:salt:version');
    if (!salt) return refuse('SALT_REQUIRED', 'this Magento hash has an empty salt');
    const steps: Step[] = [];
    for (const version of versions) {
      const parsed = step(version);
      if (typeof parsed === 'string')
        return refuse(parsed.startsWith('unknown') ? 'MALFORMED_HASH' : 'COST_OUT_OF_RANGE', parsed);
      steps.push(parsed);
    }
    if (hash.length !== outputHexLength(steps[steps.length - 1] as Step))
      return refuse('MALFORMED_HASH', 'the hash length does not match its last version');
    const expected = hash.toLowerCase();
    return {
      ok: true,
      hash: { format, hash: [expected, salt, ...versions].join(':') },
      checker: {
        weak: !steps.some((s) => s.kind === 'argon2id'),
        needs: null,
        verify: async (password) => {
          let recreated = password;
          for (const s of steps) recreated = await apply(recreated, s, salt);
          return sameHex(recreated, expected);
        },
      },
    };
  },
};
