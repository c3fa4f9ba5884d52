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

export const cryptoRandom: Random = {
  token: () => randomBytes(32).toString('base64url'),
  id: () => randomUUID(),
  digits: (length) => Array.from({ length }, () => String(randomInt(10))).join(''),
};
