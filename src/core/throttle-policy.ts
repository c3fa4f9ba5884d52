/**
 * Sign-in throttling per account (STANDARDS C1–C3): growing delays from the 5th consecutive failure
 * (30 s doubling to 1 h, NIST's example), and after 100 the password stops working until it is reset.
 * Browsers the owner used before are exempt from the delays, so an attacker cannot keep the owner out.
 */
export const FREE_FAILURES = 4;
export const FIRST_DELAY_MS = 30_000;
export const MAX_DELAY_MS = 3_600_000;
export const FAILURE_CAP = 100;

export function delayAfter(consecutiveFailures: number): number {
  if (consecutiveFailures <= FREE_FAILURES) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** (consecutiveFailures - FREE_FAILURES - 1), MAX_DELAY_MS);
}

export type ThrottleDecision = 'allow' | 'wait';

export function throttleDecision(state: { blockedUntil: Date | null }, now: Date, knownDevice: boolean): ThrottleDecision {
  if (knownDevice || !state.blockedUntil) return 'allow';
  return now.getTime() < state.blockedUntil.getTime() ? 'wait' : 'allow';
}

export function reachedCap(consecutiveFailures: number): boolean {
  return consecutiveFailures >= FAILURE_CAP;
}
