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

/** RFC 9562 UUIDv7: 48 bits of Unix milliseconds, the version, 12 random bits, the variant, 62 random bits. */
export function uuidV7(ms: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const cryptoRandom: Random = {
  token: () => randomBytes(32).toString('base64url'),
  id: () => randomUUID(),
  orderedId: () => uuidV7(),
  digits: (length) => Array.from({ length }, () => String(randomInt(10))).join(''),
};
