import { addMs } from '../../core/clock.ts';
import { evaluateRisk, type RiskAssessment, type RiskSignals } from '../../core/risk/evaluate.ts';
import { riskPolicy, type RiskPolicy } from '../../core/risk/policy.ts';
import type { AccountRow } from '../../store/accounts.ts';
import type { AtOnce, Executor } from '../../store/database.ts';
import type { DeviceStanding } from '../../store/devices.ts';
import {
  countFailures,
  insertRiskDecision,
  pruneCounters,
  rememberLocation,
  type RiskDecisionRow,
} from '../../store/risk.ts';
import { readRiskSignals, readRiskSignalsNow, type RiskReadKeys, type RiskReads } from '../../store/risk-signals.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { pointFor } from '../../platform/geoip.ts';
import { hashToken } from '../../platform/token-hash.ts';

const policies = new WeakMap<object, RiskPolicy>();

export function policyFor(deps: ServiceDeps): RiskPolicy {
  let policy = policies.get(deps.config);
  if (!policy) {
    policy = riskPolicy(deps.config.risk);
    policies.set(deps.config, policy);
  }
  return policy;
}

const GLOBAL_KEY = 'global';
const accountKey = (email: string) => `acct:${hashToken(`risk:${email}`)}`;
const ipKey = (ip: string) => `ip:${ip}`;

/** A failed sign-in (password or code) counts in the account's, the address's and the global window. */
export async function countSignInFailure(deps: ServiceDeps, email: string, origin: RequestOrigin): Promise<void> {
  await countFailures(deps.db, [accountKey(email), ipKey(origin.ip), GLOBAL_KEY], deps.clock.now().toISOString());
}

export interface RiskContext {
  action: 'sign-in' | 'sensitive-change';
  passwordBlocklisted?: boolean;
  /** Already read by the caller (delayed changes need it too); read here otherwise. */
  device?: DeviceStanding;
}

/** Gathers the signals for one account and request, and scores them. */
export async function assessRisk(
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  context: RiskContext,
): Promise<RiskAssessment> {
  return (await assessWithReads(deps, account, origin, context)).assessment;
}

export type AssessedWithReads = { assessment: RiskAssessment; device: DeviceStanding; secondFactor: boolean };

/**
 * The assessment with what was read for it: the browser's standing (read with everything else, so after
 * whatever the caller awaited before) and whether the account has a second factor. One statement.
 */
export async function assessWithReads(
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  context: RiskContext,
): Promise<AssessedWithReads> {
  const now = deps.clock.now();
  const reads = await readRiskSignals(deps.db, riskReadKeys(deps, account, origin, now));
  return assessFromReads(deps, account, origin, context, reads, now);
}

/** The same inside sqliteAtOnce's work: read in that transaction, so what it writes next goes on these reads. */
export function assessWithReadsNow(
  atOnce: AtOnce,
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  context: RiskContext,
): AssessedWithReads {
  const now = deps.clock.now();
  const reads = readRiskSignalsNow(atOnce, riskReadKeys(deps, account, origin, now));
  return assessFromReads(deps, account, origin, context, reads, now);
}

function riskReadKeys(deps: ServiceDeps, account: AccountRow, origin: RequestOrigin, now: Date): RiskReadKeys {
  const policy = policyFor(deps);
  return {
    accountId: account.id,
    deviceId: origin.deviceId ?? null,
    failureKeys: { account: accountKey(account.email), address: ipKey(origin.ip), global: GLOBAL_KEY },
    failuresFrom: addMs(now, -policy.failureWindowMinutes * 60_000 + 60_000).toISOString(),
    changesSince: addMs(now, -policy.recentChangesWindowMs).toISOString(),
  };
}

function assessFromReads(
  deps: ServiceDeps,
  account: AccountRow,
  origin: RequestOrigin,
  context: RiskContext,
  reads: RiskReads,
  now: Date,
): AssessedWithReads {
  const device = context.device ?? reads.device;
  const { locations, failures } = reads;
  const lastPoint = locations.last ? pointFor(locations.last.country) : null;
  const signals: RiskSignals = {
    action: context.action,
    now,
    device: device.firstSeenAt ? 'known' : device.any ? 'new' : 'first',
    location: origin.country ? pointFor(origin.country) : null,
    knownCountries: locations.countries,
    lastSignIn: locations.last && lastPoint ? { at: new Date(locations.last.at), location: lastPoint } : null,
    failures: { account: failures.account, ip: failures.address, global: failures.global },
    passwordBlocklisted: context.passwordBlocklisted ?? false,
    accountCreatedAt: new Date(account.created_at),
    recentSensitiveChanges: reads.recentChanges,
  };
  return {
    assessment: evaluateRisk(signals, policyFor(deps)),
    device,
    secondFactor: reads.secondFactors.totp || reads.secondFactors.passkey,
  };
}

type DecisionInput = {
  accountId: string;
  action: string;
  assessment: RiskAssessment;
  origin: RequestOrigin;
  outcome?: string;
};

/** Every decision and its reasons: a row the support desk reads, and a line in the security log. */
export async function recordRiskDecision(db: Executor, deps: ServiceDeps, input: DecisionInput): Promise<void> {
  await insertRiskDecision(db, riskDecisionRow(deps, input));
  logRiskDecision(deps, input);
}

export function riskDecisionRow(deps: ServiceDeps, input: DecisionInput): RiskDecisionRow {
  const { assessment, origin } = input;
  return {
    id: deps.random.id(),
    account_id: input.accountId,
    action: input.action,
    decision: assessment.decision,
    score: assessment.score,
    reasons: JSON.stringify(assessment.reasons),
    ip: origin.ip,
    country: origin.country ?? null,
    device_id: origin.deviceId ?? null,
    created_at: deps.clock.now().toISOString(),
  };
}

export function logRiskDecision(deps: ServiceDeps, input: DecisionInput): void {
  const { assessment, origin } = input;
  deps.log.info(
    {
      event: 'risk_decision',
      accountId: input.accountId,
      action: input.action,
      decision: assessment.decision,
      score: assessment.score,
      reasons: assessment.reasons.map((r) => r.code),
      ip: origin.ip,
      country: origin.country ?? null,
    },
    'risk_decision',
  );
}

/** After a completed sign-in: the country joins the account's known places (for new-country and travel). */
export async function rememberSignInPlace(
  db: Executor,
  deps: ServiceDeps,
  accountId: string,
  origin: RequestOrigin,
): Promise<void> {
  if (origin.country) await rememberLocation(db, accountId, origin.country, deps.clock.now().toISOString());
}

const lastPruned = new WeakMap<object, number>();

/** Failure counts older than a day are of no use to any window; dropped at most every ten minutes. */
export async function pruneRiskCounters(deps: ServiceDeps): Promise<void> {
  const now = deps.clock.now().getTime();
  if (now - (lastPruned.get(deps) ?? 0) < 10 * 60_000) return;
  lastPruned.set(deps, now);
  await pruneCounters(deps.db, new Date(now - 24 * 3_600_000).toISOString());
}
