import { distanceKm, type GeoPoint } from './geo.ts';
import type { RiskPolicy, RiskReasonCode } from './policy.ts';

/** Everything the engine looks at, gathered by the service before the call (this module does no I/O). */
export interface RiskSignals {
  action: 'sign-in' | 'sensitive-change';
  now: Date;
  /** known: this browser was used on the account before; first: the account has no browser yet. */
  device: 'known' | 'new' | 'first';
  /** Null when the address has no country (loopback, private networks). */
  location: GeoPoint | null;
  /** Countries the account signed in from before. */
  knownCountries: readonly string[];
  lastSignIn: { at: Date; location: GeoPoint } | null;
  /** Failed attempts in the policy's sliding window. */
  failures: { account: number; ip: number; global: number };
  passwordBlocklisted: boolean;
  accountCreatedAt: Date;
  /** Sensitive changes in the policy's recent-changes window. */
  recentSensitiveChanges: number;
}

export type RiskDecision = 'allow' | 'challenge' | 'deny';

export interface RiskReason {
  code: RiskReasonCode;
  weight: number;
  /** A short fact for the log and the support desk, e.g. "JP → US, 9,000 km in 2 h". */
  detail?: string;
}

export interface RiskAssessment {
  score: number;
  decision: RiskDecision;
  reasons: RiskReason[];
}

/** Scores one sign-in or sensitive change and names every reason that counted. */
export function evaluateRisk(signals: RiskSignals, policy: RiskPolicy): RiskAssessment {
  const reasons: RiskReason[] = [];
  const add = reasonAdder(reasons, policy);

  if (signals.device === 'new') add('new-device');
  if (signals.device === 'first') add('first-device');

  const here = signals.location;
  if (here && signals.knownCountries.length > 0 && !signals.knownCountries.includes(here.country)) {
    add('new-country', `${here.country} (known: ${signals.knownCountries.join(', ')})`);
  }
  const travel = here && signals.lastSignIn ? impossibleTravel(signals.lastSignIn, here, signals.now, policy) : null;
  if (travel) add('impossible-travel', travel);

  // A browser the owner used before is not judged by what strangers do: a stuffing wave against the
  // shop must not push the owners' own sign-ins into challenges (STANDARDS C2: no lockout by attackers).
  if (signals.device !== 'known') {
    if (signals.failures.account >= policy.accountFailuresHigh)
      add('account-failures', `${signals.failures.account} in ${policy.failureWindowMinutes} min`);
    if (signals.failures.ip >= policy.ipFailuresHigh)
      add('ip-failures', `${signals.failures.ip} in ${policy.failureWindowMinutes} min`);
    if (signals.failures.global >= policy.globalFailuresHigh)
      add('global-failures', `${signals.failures.global} in ${policy.failureWindowMinutes} min`);
  }

  if (signals.passwordBlocklisted) add('password-blocklisted');
  if (signals.now.getTime() - signals.accountCreatedAt.getTime() < policy.youngAccountMs) add('young-account');
  if (signals.recentSensitiveChanges >= policy.recentChangesHigh)
    add('recent-changes', String(signals.recentSensitiveChanges));

  const score = Math.min(
    100,
    reasons.reduce((sum, reason) => sum + reason.weight, 0),
  );
  return { score, decision: decide(score, policy), reasons };
}

// Made here, not inside evaluateRisk: tsx names a function made inside another with Object.defineProperty
// on every call, which cost each sign-in more than scoring it.
function reasonAdder(reasons: RiskReason[], policy: RiskPolicy) {
  return function (code: RiskReasonCode, detail?: string): void {
    reasons.push(
      detail === undefined ? { code, weight: policy.weights[code] } : { code, weight: policy.weights[code], detail },
    );
  };
}

function decide(score: number, policy: RiskPolicy): RiskDecision {
  if (score >= policy.denyAt) return 'deny';
  if (score >= policy.challengeAt) return 'challenge';
  return 'allow';
}

function impossibleTravel(
  last: { at: Date; location: GeoPoint },
  here: GeoPoint,
  now: Date,
  policy: RiskPolicy,
): string | null {
  const km = distanceKm(last.location, here);
  if (km < policy.travelNoiseKm) return null;
  const hours = Math.max(now.getTime() - last.at.getTime(), 60_000) / 3_600_000;
  if (km / hours <= policy.impossibleTravelKmh) return null;
  return `${last.location.country} → ${here.country}, ${Math.round(km)} km in ${hours < 1 ? `${Math.round(hours * 60)} min` : `${hours.toFixed(1)} h`}`;
}
