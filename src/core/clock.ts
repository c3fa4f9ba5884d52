/** The only source of "now" in the domain; the composition root decides whether it is real or fake. */
export interface Clock {
  now(): Date;
}

/** The only source of randomness in the domain. */
export interface Random {
  /** 32 random bytes, base64url: the format of every secret token. */
  token(): string;
  /** A unique identifier for a row. */
  id(): string;
  /**
   * A unique identifier that sorts by the time it was made (UUIDv7: milliseconds, then 74 random bits),
   * so new rows go to the end of their B-tree instead of a random page of it. Only for rows whose time
   * is no secret: it is written in the row beside it (a log entry's `occurred_at`).
   */
  orderedId(): string;
  /** A uniformly random code of this many decimal digits (mailed sign-in codes). */
  digits(length: number): string;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export function addMs(date: Date, ms: number): Date {
  return new Date(date.getTime() + ms);
}
