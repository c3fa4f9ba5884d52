import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { DomainError } from '../../core/errors.ts';
import { judgeProof, type ProofFactor, type ProofKind, type ProofRefusal } from '../../core/incident/standing.ts';
import { effectiveState, type IncidentState } from '../../core/incident/state.ts';
import type { AccountRow } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import { findUnusedRecoveryCode, totpFactorsHeldAt, useRecoveryCodeById } from '../../store/factors.ts';
import { findOpenIncident, type IncidentRow } from '../../store/incidents.ts';
import { everyPasskeyOf, passkeysHeldAt, type PasskeyRow } from '../../store/passkeys.ts';
import { actorFrom, recordChange } from '../account-log/change-log.ts';
import { requireAccount } from '../account/profile.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { queueMail } from '../notices/mail-queue.ts';
import { issueLink } from '../notices/one-time-links.ts';
import { recoveryOptions, reinstatePasskey, verifyPasskeyAssertion } from '../second-factors/passkeys.ts';
import {
  authenticatorAccepting,
  hashRecoveryCode,
  normalizeRecoveryCode,
  reinstateTotp,
} from '../second-factors/totp.ts';
import { assertNotThrottled, noteFailure, noteSuccess } from '../sign-in/throttle.ts';
import { partyForStatusToken, statusLinkFor, issuePartyLink } from './parties.ts';
import { moveIncident } from './transition.ts';

/** What the owner offers instead of the wait: a code (authenticator or recovery) or a passkey assertion. */
export type OwnershipProof = { code: string } | { passkey: AuthenticationResponseJSON };

/** Which factor proved the owner, kept on the incident for the recovery page and the support desk. */
export interface ProvenBy {
  kind: ProofKind;
  heldSince: string;
  at: string;
}

export function provenByOf(incident: Pick<IncidentRow, 'proven_by'>): ProvenBy | null {
  return incident.proven_by ? (JSON.parse(incident.proven_by) as ProvenBy) : null;
}

/** The states a proof can settle: the wait running, or a case waiting for a person. */
const PROVABLE: readonly IncidentState[] = ['waiting', 'disputed'];

/** The owner's own incident link, on an incident a proof can still settle. */
async function provableIncident(deps: ServiceDeps, statusToken: unknown): Promise<IncidentRow> {
  const { incident, party } = await partyForStatusToken(deps.db, statusToken);
  // A newcomer's link (the address the intruder moved the account to) never leads here.
  if (party.standing !== 'owner') throw new DomainError('FORBIDDEN');
  const waitUntil = incident.wait_until ? new Date(incident.wait_until) : null;
  if (!PROVABLE.includes(effectiveState(incident.state as IncidentState, waitUntil, deps.clock.now())))
    throw new DomainError('INCIDENT_STATE');
  return incident;
}

/** A passkey challenge for the owner's proof: only the passkeys she held at the compromise point are offered. */
export async function proofPasskeyOptions(deps: ServiceDeps, statusToken: unknown) {
  const incident = await provableIncident(deps, statusToken);
  return recoveryOptions(deps, incident.account_id, incident.compromise_at);
}

type Judged =
  | { ok: true; factor: ProofFactor; reinstate: (trx: Executor) => Promise<void> }
  | { ok: false; kind: ProofKind | 'unknown'; reason: ProofRefusal | 'no-match' };

/**
 * The passkey is checked before the transaction (SQLite has one connection, and the check reads and
 * writes), against every passkey the account ever had: the intruder's verifies too, and is then refused
 * by the standing module, so his attempt is named in the log rather than lost as a bad signature.
 */
async function judgePasskey(
  deps: ServiceDeps,
  incident: IncidentRow,
  response: AuthenticationResponseJSON,
): Promise<Judged> {
  let passkey: PasskeyRow;
  try {
    ({ passkey } = await verifyPasskeyAssertion(
      deps,
      response,
      'passkey-recovery',
      await everyPasskeyOf(deps.db, incident.account_id),
    ));
  } catch (error) {
    if (error instanceof DomainError && error.code === 'PASSKEY_FAILED')
      return { ok: false, kind: 'passkey', reason: 'no-match' };
    throw error;
  }
  return judgeHeldPasskey(incident, passkey);
}

/** A code: the authenticator that accepts it (in use or removed), else an unused recovery code, judged the same way. */
async function judgeCode(trx: Executor, deps: ServiceDeps, incident: IncidentRow, code: string): Promise<Judged> {
  const authenticator = await authenticatorAccepting(trx, deps, incident.account_id, code);
  if (authenticator) {
    const factor: ProofFactor = {
      kind: 'totp',
      heldSince: authenticator.confirmed_at ?? authenticator.created_at,
      removedAt: authenticator.removed_at,
    };
    const verdict = judgeProof(factor, incident.compromise_at);
    return verdict.proves
      ? { ok: true, factor, reinstate: (t) => reinstateTotp(t, deps, authenticator) }
      : { ok: false, kind: 'totp', reason: verdict.reason };
  }
  const recovery =
    normalizeRecoveryCode(code).length === 25
      ? await findUnusedRecoveryCode(trx, incident.account_id, hashRecoveryCode(code))
      : undefined;
  if (!recovery) return { ok: false, kind: 'unknown', reason: 'no-match' };
  const factor: ProofFactor = { kind: 'recovery-code', heldSince: recovery.created_at, removedAt: recovery.voided_at };
  const verdict = judgeProof(factor, incident.compromise_at);
  if (!verdict.proves) return { ok: false, kind: 'recovery-code', reason: verdict.reason };
  const now = deps.clock.now().toISOString();
  return {
    ok: true,
    factor,
    reinstate: async (t) => {
      if (!(await useRecoveryCodeById(t, recovery.id, now))) throw new DomainError('CODE_INVALID');
    },
  };
}

/**
 * "Prove it's you": a factor the owner held before the compromise point opens recovery at once, in one
 * transaction, from the wait or from a case waiting for a person. Every attempt counts against the
 * account's and the address's sign-in throttles (and the failure cap) and is a change record; the
 * other party is told in words which factor proved it and may still object, to a person. Returns the
 * recovery link, which the owner's browser follows at once (it is also mailed to her address).
 */
export async function proveOwnership(
  deps: ServiceDeps,
  statusToken: unknown,
  proof: OwnershipProof,
  origin: RequestOrigin,
): Promise<{ recoveryLink: string; provenBy: ProvenBy }> {
  const incident = await provableIncident(deps, statusToken);
  const account = await requireAccount(deps.db, incident.account_id);
  await assertNotThrottled(deps, account.email, account, origin);
  const passkeyVerdict = 'passkey' in proof ? await judgePasskey(deps, incident, proof.passkey) : null;
  return settleProof(deps, incident, account, origin, passkeyVerdict, 'code' in proof ? proof.code : '');
}

/**
 * A passkey sign-in on a contained account: the assertion (user verification, checked by the caller)
 * is offered as the owner's proof instead of answering "account locked". Her passkey from before the
 * compromise opens recovery at once; the intruder's is refused and counted like any other proof.
 */
export async function proveWithSignInPasskey(
  deps: ServiceDeps,
  account: AccountRow,
  passkey: PasskeyRow,
  origin: RequestOrigin,
): Promise<{ recoveryLink: string; provenBy: ProvenBy }> {
  const incident = await findOpenIncident(deps.db, account.id);
  const waitUntil = incident?.wait_until ? new Date(incident.wait_until) : null;
  if (!incident || !PROVABLE.includes(effectiveState(incident.state as IncidentState, waitUntil, deps.clock.now())))
    throw new DomainError('PASSKEY_FAILED');
  await assertNotThrottled(deps, account.email, account, origin);
  return settleProof(deps, incident, account, origin, judgeHeldPasskey(incident, passkey), '');
}

function judgeHeldPasskey(incident: IncidentRow, passkey: PasskeyRow): Judged {
  const factor: ProofFactor = { kind: 'passkey', heldSince: passkey.created_at, removedAt: passkey.removed_at };
  const verdict = judgeProof(factor, incident.compromise_at);
  return verdict.proves
    ? { ok: true, factor, reinstate: (trx) => reinstatePasskey(trx, passkey) }
    : { ok: false, kind: 'passkey', reason: verdict.reason };
}

/** Judges the proof and either opens recovery or logs and counts the refusal, in one transaction. */
async function settleProof(
  deps: ServiceDeps,
  incident: IncidentRow,
  account: AccountRow,
  origin: RequestOrigin,
  passkeyVerdict: Judged | null,
  code: string,
): Promise<{ recoveryLink: string; provenBy: ProvenBy }> {
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const judged = passkeyVerdict ?? (await judgeCode(trx, deps, incident, code));
    if (!judged.ok) {
      await recordChange(trx, deps, {
        accountId: account.id,
        kind: 'ownership-proof-refused',
        actor: actorFrom(origin),
        subjectId: incident.id,
        after: { factor: judged.kind, reason: judged.reason },
      });
      return judged;
    }
    await judged.reinstate(trx);
    return { ...judged, opened: await openRecoveryByProof(trx, deps, incident, account, judged.factor, origin) };
  });
  if (!outcome.ok) {
    // Outside the transaction: at the cap the throttle opens one of its own to switch the password off.
    await noteFailure(deps.db, deps, account.email, account, origin);
    throw passkeyVerdict
      ? new DomainError('PASSKEY_FAILED')
      : new DomainError('CODE_INVALID', { fields: [{ field: 'code', code: 'CODE_INVALID' }] });
  }
  deps.log.info(
    { event: 'incident_proved', accountId: account.id, incidentId: incident.id, factor: outcome.factor.kind },
    'incident_proved',
  );
  deps.mailQueued();
  return outcome.opened;
}

async function openRecoveryByProof(
  trx: Executor,
  deps: ServiceDeps,
  incident: IncidentRow,
  account: AccountRow,
  factor: ProofFactor,
  origin: RequestOrigin,
): Promise<{ recoveryLink: string; provenBy: ProvenBy }> {
  const now = deps.clock.now().toISOString();
  const provenBy: ProvenBy = { kind: factor.kind, heldSince: factor.heldSince, at: now };
  await moveIncident(trx, incident.id, 'prove-owner', {
    proven_by: JSON.stringify(provenBy),
    recovery_opened_at: now,
    updated_at: now,
  });
  await recordChange(trx, deps, {
    accountId: account.id,
    kind: 'ownership-proved',
    actor: actorFrom(origin),
    subjectId: incident.id,
    after: { factor: factor.kind, heldSince: factor.heldSince },
  });
  await noteSuccess(trx, account.email);
  // Only ever to the address the account held at the compromise point.
  const to = incident.owner_email ?? account.email;
  const recoveryLink = await issueLink(trx, deps, {
    accountId: account.id,
    purpose: 'incident-recovery',
    payload: { incidentId: incident.id },
    recipient: to,
  });
  const statusLink = statusLinkFor(deps, await issuePartyLink(trx, deps, incident.id, to, 'owner'));
  await queueMail(trx, deps, {
    to,
    locale: account.locale,
    accountId: account.id,
    message: { template: 'ownership-proved', model: { ...provenBy, recoveryLink, statusLink } },
  });
  await tellOtherParty(trx, deps, incident, account, provenBy);
  return { recoveryLink, provenBy };
}

/** The party the report works against hears which factor settled it, and may still object (to a person). */
async function tellOtherParty(
  trx: Executor,
  deps: ServiceDeps,
  incident: IncidentRow,
  account: AccountRow,
  provenBy: ProvenBy,
): Promise<void> {
  if (!incident.disputed_party) return;
  const objectLink = await issueLink(trx, deps, {
    accountId: account.id,
    purpose: 'object-incident',
    payload: { incidentId: incident.id },
    recipient: incident.disputed_party,
    keepOthers: true,
  });
  await queueMail(trx, deps, {
    to: incident.disputed_party,
    locale: account.locale,
    accountId: account.id,
    message: {
      template: 'ownership-proved-party',
      model: { kind: provenBy.kind, heldSince: provenBy.heldSince, objectLink },
    },
  });
}

/** What the owner's incident page offers: which proofs she could give, or the wait; and what proved it, once done. */
export interface ProofChoices {
  passkey: boolean;
  code: boolean;
  provenBy: ProvenBy | null;
}

export async function proofChoices(deps: ServiceDeps, incident: IncidentRow): Promise<ProofChoices> {
  const [passkeys, authenticators] = await Promise.all([
    passkeysHeldAt(deps.db, incident.account_id, incident.compromise_at),
    totpFactorsHeldAt(deps.db, incident.account_id, incident.compromise_at),
  ]);
  // Recovery codes come with the first passkey or authenticator, so either one means a code may prove it.
  return {
    passkey: passkeys.length > 0,
    code: passkeys.length > 0 || authenticators.length > 0,
    provenBy: provenByOf(incident),
  };
}
