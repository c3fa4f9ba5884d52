// What the bench servers seed and the load scripts send: one definition for both sides.
import { loadConfig } from '../src/config.ts';

/** Mamori's argon2id parameters: every bench server, bare or not, and Better Auth hash and verify with these. */
export const BENCH_ARGON2 = { algorithm: 2, ...loadConfig({}).argon2, outputLen: 32 } as const;
export const benchEmail = (i: number) => `user${i}@bench.example`;
export const benchPassword = (i: number) => `bench passphrase number ${i} river`;
/** The device cookie of user i's own browser (43 base64url characters, like every token). */
export const benchOwnerDevice = (i: number) => `owner-${String(i).padStart(6, '0')}`.padEnd(43, 'x');

/**
 * BENCH_NO_HASH=1: every bench server checks passwords without argon2id, by a stand-in that accepts a bench
 * password only. What is left is the request path's own CPU, warm, with no hashes taking the cores and the
 * caches; it tells how much of the event loop's time under the real load is the hash load's doing.
 */
export const withoutHash = process.env.BENCH_NO_HASH === '1';
export const isBenchPassword = (password: string) => /^bench passphrase number \d+ river$/.test(password);
/** Mamori's PasswordHasher.verify under BENCH_NO_HASH: no stored hash (an unknown address) never matches. */
export const verifyWithoutHash = async (stored: string | null, password: string) =>
  stored !== null && isBenchPassword(password);
