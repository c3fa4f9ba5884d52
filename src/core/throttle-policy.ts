/**
 * Sign-in throttling per account (STANDARDS C1–C3): growing delays from the 5th consecutive failure
 * (30 s doubling to 1 h, NIST's example), and after 100 the password stops working until it is reset.
 * Browsers the owner used before are exempt from the delays, so an attacker cannot keep the owner out.
 */
export const FREE_FAILURES = 4;
export const FIRST_DELAY_MS = 30_000;
export const MAX_DELAY_MS = 3_600_000;
export const FAILURE_CAP = 100;
/**
 * Per client address the same growing delays start later (offices and mobile carriers share addresses),
 * and the count starts over after an hour without failures: a success on one account must not let a
 * stuffing source reset its own count.
 */
export const IP_FREE_FAILURES = 10;
export const IP_FAILURE_MEMORY_MS = 3_600_000;

export function delayAfter(consecutiveFailures: number, freeFailures = FREE_FAILURES): number {
  if (consecutiveFailures <= freeFailures) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** (consecutiveFailures - freeFailures - 1), MAX_DELAY_MS);
}

export type ThrottleDecision = 'allow' | 'wait';

export function throttleDecision(
  state: { blockedUntil: Date | null },
  now: Date,
  knownDevice: boolean,
): ThrottleDecision {
  if (knownDevice || !state.blockedUntil) return 'allow';
  return now.getTime() < state.blockedUntil.getTime() ? 'wait' : 'allow';
}

export function reachedCap(consecutiveFailures: number): boolean {
  return consecutiveFailures >= FAILURE_CAP;
}
