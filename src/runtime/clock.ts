import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Clock, Random } from '../core/clock.ts';

export const systemClock: Clock = { now: () => new Date() };

/** A clock that moves only when told: tests and `mamori demo` walk it through waiting periods. */
export class FakeClock implements Clock {
  private current: number;
  constructor(start: Date | string = '2026-01-05T05:46:00.000Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * RFC 9562 UUIDv7: 48 bits of Unix milliseconds, the version, 12 random bits, the variant, 62 random bits.
 * The random bits are a v4 UUID's (the same variant; Node draws those from a cached pool, where a
 * randomBytes call per id cost an import ~9 µs an account).
 */
export function uuidV7(ms: number = Date.now()): string {
  const time = ms.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${randomUUID().slice(15)}`;
}

const TOKEN_BYTES = 32;
const POOLED_TOKENS = 128;
let pool = Buffer.alloc(0);
let taken = 0;

/**
 * 256 random bits as base64url. Drawn from a pool filled 128 tokens at a time (as Node's randomUUID does):
 * one randomBytes call per token cost a sign-in more than the rest of making its session. Each slice is
 * zeroed once read, so the pool never holds a token that was handed out.
 */
export function randomToken(): string {
  if (taken >= pool.length) {
    pool = randomBytes(TOKEN_BYTES * POOLED_TOKENS);
    taken = 0;
  }
  const token = pool.toString('base64url', taken, taken + TOKEN_BYTES);
  pool.fill(0, taken, taken + TOKEN_BYTES);
  taken += TOKEN_BYTES;
  return token;
}

export const cryptoRandom: Random = {
  token: randomToken,
  id: () => randomUUID(),
  orderedId: () => uuidV7(),
  digits: (length) => Array.from({ length }, () => String(randomInt(10))).join(''),
};
