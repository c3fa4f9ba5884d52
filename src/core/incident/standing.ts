import type { Suspects } from './undo-plan.ts';

/**
 * "The owner stays the owner" (DESIGN 4): containment, the wait, objections and recovery work for
 * whoever held the account before the compromise point, never for a contact, device, session or
 * factor that appeared after it. This module is the one place that decides who that is.
 */
export type Standing = 'owner' | 'newcomer';

/** Why a reporter is not taken for the owner; the support desk shows each one. */
export type NewcomerReason = 'address-after-compromise' | 'address-unknown' | 'suspect-session' | 'suspect-device';

export type ReporterStanding =
  | { standing: 'owner'; address: string | null; reasons: [] }
  | { standing: 'newcomer'; address: string | null; reasons: NewcomerReason[] }
  | { standing: 'staff'; address: null; reasons: [] };

/** One change of the account's address, as the account log holds it. */
export interface AddressChange {
  at: string;
  before: string;
  after: string;
}

export interface AddressHistory {
  current: string;
  /** Every address change in the period that matters, any order. */
  changes: readonly AddressChange[];
}

/** How long a replaced address keeps hearing of the account (NIST SP 800-63B-4 §4.6; Google: 7 days). */
export const REPLACED_ADDRESS_GRACE_MS = 7 * 24 * 3_600_000;

const byTime = (changes: readonly AddressChange[]) => [...changes].sort((a, b) => a.at.localeCompare(b.at));

/** The address the account had at `at`: the one the first change after it replaced, or today's. */
export function addressHeldAt(history: AddressHistory, at: string): string {
  return byTime(history.changes).find((change) => change.at >= at)?.before ?? history.current;
}

/**
 * The owner's addresses for an incident: the one held at the compromise point and any it replaced in
 * the week before (the owner was still being told at those).
 */
export function ownerAddresses(history: AddressHistory, compromiseAt: string): Set<string> {
  const graceStart = new Date(Date.parse(compromiseAt) - REPLACED_ADDRESS_GRACE_MS).toISOString();
  const owned = new Set([addressHeldAt(history, compromiseAt)]);
  for (const change of history.changes)
    if (change.at < compromiseAt && change.at >= graceStart) owned.add(change.before);
  return owned;
}

/** Every address the account had at some point since `since` (they are all told of an incident). */
export function addressesHeldSince(history: AddressHistory, since: string): Set<string> {
  const held = new Set([addressHeldAt(history, since), history.current]);
  for (const change of history.changes) if (change.at >= since) held.add(change.after);
  return held;
}

export function standingOfAddress(address: string | null, owners: ReadonlySet<string>): Standing {
  return address !== null && owners.has(address) ? 'owner' : 'newcomer';
}

export interface Reporter {
  /** The address the report link was mailed to; null for a link issued before recipients were kept. */
  address: string | null;
  sessionId: string | null;
  deviceId: string | null;
  /** When the reporter's browser was first seen on the account, null when it never signed in to it. */
  deviceFirstSeenAt: string | null;
}

/**
 * A report counts as the owner's only when it came through an address the account held at the
 * compromise point, and not from a session or browser that made the suspect changes or appeared after
 * that point. Anything else is a newcomer's, and a person decides.
 */
export function judgeReporter(reporter: Reporter, owners: ReadonlySet<string>, suspects: Suspects): ReporterStanding {
  const reasons: NewcomerReason[] = [];
  if (reporter.address === null) reasons.push('address-unknown');
  else if (!owners.has(reporter.address)) reasons.push('address-after-compromise');
  if (reporter.sessionId !== null && suspects.sessionIds.has(reporter.sessionId)) reasons.push('suspect-session');
  const deviceIsNew = reporter.deviceFirstSeenAt !== null && reporter.deviceFirstSeenAt >= suspects.compromiseAt;
  if (reporter.deviceId !== null && (suspects.deviceIds.has(reporter.deviceId) || deviceIsNew))
    reasons.push('suspect-device');
  return reasons.length === 0
    ? { standing: 'owner', address: reporter.address, reasons: [] }
    : { standing: 'newcomer', address: reporter.address, reasons };
}

/** What the owner can offer instead of the wait: a factor she held before the intrusion. */
export type ProofKind = 'passkey' | 'totp' | 'recovery-code';

export interface ProofFactor {
  kind: ProofKind;
  /** When the factor came to the account: a passkey registered, an authenticator confirmed, a code issued. */
  heldSince: string;
  /** When it left the account (removed, turned off, voided), or null while it is still on it. */
  removedAt: string | null;
}

/** Why an offered factor is no proof; each attempt is logged with it. */
export type ProofRefusal = 'added-after-compromise' | 'gone-before-compromise';

export type ProofJudgement = { proves: true } | { proves: false; reason: ProofRefusal };

/**
 * Does a factor prove the owner? Only one she held at the compromise point: added strictly before it
 * and not gone before it. A factor added at or after that point never does, whoever added it (the
 * intruder's passkey, his authenticator, codes he generated) — the same rule that keeps a newcomer's
 * address from being taken for the owner's. One removed since still does: the intruder removing her
 * passkey does not make it his.
 */
export function judgeProof(factor: ProofFactor, compromiseAt: string): ProofJudgement {
  if (factor.heldSince >= compromiseAt) return { proves: false, reason: 'added-after-compromise' };
  if (factor.removedAt !== null && factor.removedAt < compromiseAt)
    return { proves: false, reason: 'gone-before-compromise' };
  return { proves: true };
}
