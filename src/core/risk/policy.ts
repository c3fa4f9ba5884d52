/**
 * The risk policy: what each signal weighs and where the decisions begin. Weights are on a 0–100
 * scale; the thresholds come from the configuration (MAMORI_RISK_CHALLENGE_AT / MAMORI_RISK_DENY_AT).
 */
export const RISK_REASONS = [
  'new-device',
  'first-device',
  'new-country',
  'impossible-travel',
  'account-failures',
  'ip-failures',
  'global-failures',
  'password-blocklisted',
  'young-account',
  'recent-changes',
] as const;

export type RiskReasonCode = (typeof RISK_REASONS)[number];

export interface RiskPolicy {
  challengeAt: number;
  denyAt: number;
  weights: Readonly<Record<RiskReasonCode, number>>;
  /** Faster than an airliner between two sign-ins is not one person travelling. */
  impossibleTravelKmh: number;
  /** Country centroids stand for whole countries, so neighbours closer than this never count as travel. */
  travelNoiseKm: number;
  /** Failures counted in the sliding window (minutes) before they weigh. */
  failureWindowMinutes: number;
  accountFailuresHigh: number;
  ipFailuresHigh: number;
  globalFailuresHigh: number;
  youngAccountMs: number;
  recentChangesWindowMs: number;
  recentChangesHigh: number;
}

export const DEFAULT_RISK_WEIGHTS: Readonly<Record<RiskReasonCode, number>> = Object.freeze({
  'new-device': 30,
  // An account that never signed in has no baseline, so its first browser tells little on its own.
  'first-device': 15,
  'new-country': 25,
  'impossible-travel': 50,
  'account-failures': 20,
  'ip-failures': 30,
  'global-failures': 15,
  'password-blocklisted': 20,
  'young-account': 10,
  'recent-changes': 15,
});

export function riskPolicy(thresholds: { challengeAt: number; denyAt: number }): RiskPolicy {
  return {
    challengeAt: thresholds.challengeAt,
    denyAt: thresholds.denyAt,
    weights: DEFAULT_RISK_WEIGHTS,
    impossibleTravelKmh: 900,
    travelNoiseKm: 500,
    failureWindowMinutes: 10,
    accountFailuresHigh: 5,
    ipFailuresHigh: 10,
    globalFailuresHigh: 200,
    youngAccountMs: 24 * 3_600_000,
    recentChangesWindowMs: 24 * 3_600_000,
    recentChangesHigh: 2,
  };
}
