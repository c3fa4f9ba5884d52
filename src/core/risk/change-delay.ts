/**
 * Holds (DESIGN 2 D): a sensitive change asked for from a young session or from a sign-in that had to
 * be challenged waits before it takes effect, and the current contact can cancel it.
 *
 * "Young" is the age of the browser's relationship with the account, not of the session: a session
 * started this morning on the phone the owner has used for two years is not young, and an attacker's
 * browser always is. The account's very first browser is established from the start: a brand-new
 * account has nothing to take over.
 */
export interface DelaySignals {
  now: Date;
  sessionCreatedAt: Date;
  /** When this browser was first seen on the account; null when the session has no known browser. */
  deviceFirstSeenAt: Date | null;
  deviceIsAccountsFirst: boolean;
  signInChallenged: boolean;
  /** The risk engine's decision on the change itself (a burst of changes, a new country...). */
  changeRisk: 'allow' | 'challenge' | 'deny';
}

export type DelayReason = 'young-session' | 'challenged-sign-in' | 'risky-change';

export function delayReason(signals: DelaySignals, changeDelayMs: number): DelayReason | null {
  if (changeDelayMs <= 0) return null;
  if (signals.signInChallenged) return 'challenged-sign-in';
  if (signals.changeRisk !== 'allow') return 'risky-change';
  if (signals.deviceIsAccountsFirst) return null;
  const since = signals.deviceFirstSeenAt ?? signals.sessionCreatedAt;
  return signals.now.getTime() - since.getTime() < changeDelayMs ? 'young-session' : null;
}

/** Changes that hand the account, or what it buys, to someone else, and so are held (a new address redirects orders). */
export const DELAYABLE_CHANGE_KINDS = [
  'email-change',
  'password-change',
  'phone-change',
  'payment-method-added',
  'address-added',
] as const;
export type DelayableChangeKind = (typeof DELAYABLE_CHANGE_KINDS)[number];
