import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { ChangeRecord } from '../../core/change-kinds.ts';
import { CHECKLIST_ITEMS, type ChecklistItem } from '../../core/incident/checklist.ts';
import { effectiveState, type IncidentState } from '../../core/incident/state.ts';
import { endSessions } from '../sessions/end-sessions.ts';
import { DomainError } from '../../core/errors.ts';
import { maskEmail } from '../../core/email-address.ts';
import { listLogSince, toChangeRecord } from '../../store/account-log.ts';
import { updateAccount } from '../../store/accounts.ts';
import { secondFactorFlags } from '../../store/factors.ts';
import type { Executor } from '../../store/database.ts';
import {
  findIncident,
  findLatestIncidentSince,
  findRecoveredIncident,
  insertSupportRequest,
  listIncidentsDue,
  listSupportRequests,
  updateIncidentFrom,
  type IncidentRow,
  type SupportRequestRow,
  listRepliesForIncident,
} from '../../store/incidents.ts';
import { actorFrom, recordChange, SYSTEM_ACTOR } from '../account-log/change-log.ts';
import { irreversibleHoldUntil } from '../account/credentials.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { queueMail } from '../notices/mail-queue.ts';
import { issueLink, linkPayload, peekLink, useLink } from '../notices/one-time-links.ts';
import { requireAccount } from '../account/profile.ts';
import {
  hasPasskeyHeldAt,
  recoveryOptions,
  reinstatePasskey,
  verifyRecoveryPasskey,
} from '../second-factors/passkeys.ts';
import { noteSuccess } from '../sign-in/throttle.ts';
import { finishSignIn } from '../sign-in/finish.ts';
import { verifySecondFactor } from '../second-factors/totp.ts';
import type { AppliedStep } from './apply-undo.ts';
import { isRefusedTransition, moveIncident } from './transition.ts';
import { proofChoices, type ProofChoices } from './prove.ts';
import type { Standing } from '../../core/incident/standing.ts';
import { findUnexpiredToken } from '../../store/one-time-tokens.ts';
import { listIncidentParties, markPartyClaimed } from '../../store/incident-parties.ts';
import {
  issuePartyLink,
  mailOwnerWithStatusLink,
  partyForStatusToken,
  reporterOf,
  type PartyAccess,
} from './parties.ts';
import { hashToken, looksLikeToken } from '../../platform/token-hash.ts';
import { listShopUndoRequestsOfIncidents, type ShopUndoRequestRow } from '../../store/shop-undo-requests.ts';
import { heldOrdersFrom, type HeldOrder } from '../../core/shop/held-orders.ts';

export interface ChecklistEntry {
  item: ChecklistItem;
  doneAt: string | null;
}

export interface IncidentView {
  incident: IncidentRow;
  state: IncidentState;
  /** Who is looking: the owner sees everything; a newcomer sees only that a person is on it. */
  standing: Standing;
  /** The reporter may not be the owner: the case waits for a person, and the owner can claim it. */
  reportedByNewcomer: boolean;
  claimedAt: string | null;
  steps: AppliedStep[];
  /** What the shops were asked to undo, and their answers (the owner's view only). */
  shopRequests: ShopUndoRequestRow[];
  /** The orders the shops were asked to hold, each with the owner's decision and the shop's answer. */
  heldOrders: HeldOrder<ShopUndoRequestRow>[];
  checklist: ChecklistEntry[];
  timeline: ChangeRecord[];
  requests: SupportRequestRow[];
  /** What support wrote back (also mailed). */
  replies: { body: string; at: string }[];
  waitUntil: string | null;
  /** Where the recovery link will be mailed when the wait ends, masked (the owner's view only). */
  recoveryMailTo: string | null;
  /** "Prove it's you": what the owner could offer instead of the wait (the owner's view only). */
  proof: ProofChoices | null;
}

export function parseSteps(incident: IncidentRow): AppliedStep[] {
  return JSON.parse(incident.plan) as AppliedStep[];
}

export function parseChecklist(incident: IncidentRow): ChecklistEntry[] {
  return JSON.parse(incident.checklist) as ChecklistEntry[];
}

/** The address everything about an incident goes to: the one the account held at the compromise point. */
export function ownerAddressOf(incident: IncidentRow, account: { email: string }): string {
  return incident.owner_email ?? account.email;
}

async function ownerAddressFor(deps: Pick<ServiceDeps, 'db'>, incident: IncidentRow): Promise<string> {
  if (incident.owner_email) return incident.owner_email;
  const account = await deps.db
    .selectFrom('accounts')
    .select('email')
    .where('id', '=', incident.account_id)
    .executeTakeFirstOrThrow();
  return ownerAddressOf(incident, account);
}

/** The status page: reachable from the notice without signing in, by the party's own link. */
export async function viewIncident(deps: ServiceDeps, statusToken: unknown): Promise<IncidentView> {
  return describeIncident(deps, await partyForStatusToken(deps.db, statusToken));
}

export async function describeIncident(
  deps: ServiceDeps,
  access: Pick<PartyAccess, 'incident'> & { party: { standing: string; claimed_at: string | null } | null },
): Promise<IncidentView> {
  const { incident, party } = access;
  const now = deps.clock.now();
  const standing: Standing = party?.standing === 'newcomer' ? 'newcomer' : 'owner';
  const [log, requests, replies, shopRequests] = await Promise.all([
    standing === 'owner' ? listLogSince(deps.db, incident.account_id, incident.compromise_at) : Promise.resolve([]),
    listSupportRequests(deps.db, incident.id),
    standing === 'owner' ? listRepliesForIncident(deps.db, incident.id) : Promise.resolve([]),
    standing === 'owner' ? listShopUndoRequestsOfIncidents(deps.db, [incident.id]) : Promise.resolve([]),
  ]);
  const steps = standing === 'owner' ? parseSteps(incident) : [];
  return {
    incident,
    state: effectiveState(
      incident.state as IncidentState,
      incident.wait_until ? new Date(incident.wait_until) : null,
      now,
    ),
    standing,
    reportedByNewcomer: reporterOf(incident)?.standing === 'newcomer',
    claimedAt: party?.claimed_at ?? null,
    steps,
    shopRequests,
    heldOrders: heldOrdersFrom(shopRequests, steps),
    checklist: parseChecklist(incident),
    timeline: log.map(toChangeRecord),
    // Each side sees only what its own side sent.
    requests: requests.filter((r) => (r.standing === 'newcomer') === (standing === 'newcomer')),
    replies: replies.map((r) => ({ body: r.body, at: r.created_at })),
    waitUntil: incident.wait_until,
    recoveryMailTo: standing === 'owner' ? maskEmail(await ownerAddressFor(deps, incident)) : null,
    proof: standing === 'owner' ? await proofChoices(deps, incident) : null,
  };
}

/** A message to support or a call-back request, stored for the support desk and logged on the account. */
export async function contactSupport(
  deps: ServiceDeps,
  statusToken: unknown,
  request:
    { kind: 'message'; body: string } | { kind: 'callback'; phone: string; preferredTime: string; body: string | null },
  origin: RequestOrigin,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const { incident, party } = await partyForStatusToken(trx, statusToken);
    // A call-back number from someone who may be the intruder is one a person must not call as the owner's.
    if (party.standing === 'newcomer' && request.kind === 'callback') throw new DomainError('FORBIDDEN');
    const account = await requireAccount(trx, incident.account_id);
    await insertSupportRequest(trx, {
      id: deps.random.id(),
      account_id: account.id,
      incident_id: incident.id,
      kind: request.kind,
      body: request.body,
      phone: request.kind === 'callback' ? request.phone : null,
      preferred_time: request.kind === 'callback' ? request.preferredTime : null,
      locale: account.locale,
      created_at: deps.clock.now().toISOString(),
      standing: party.standing,
    });
    await recordChange(trx, deps, {
      accountId: account.id,
      kind: request.kind === 'message' ? 'support-message' : 'callback-requested',
      actor: actorFrom(origin),
      subjectId: incident.id,
      after: { standing: party.standing },
    });
  });
}

export async function viewObjection(deps: ServiceDeps, token: unknown): Promise<IncidentRow> {
  const link = await peekLink(deps, token, 'object-incident');
  const incident = await findIncident(deps.db, linkPayload(link).incidentId ?? '');
  if (!incident) throw new DomainError('TOKEN_INVALID');
  return incident;
}

/**
 * The party the report works against objects: the incident waits for a person, both sides' evidence
 * kept. Recovery does not open on its own any more.
 */
export async function objectToIncident(
  deps: ServiceDeps,
  token: unknown,
  message: string,
  origin: RequestOrigin,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const link = await useLink(trx, deps, token, 'object-incident');
    const incident = await findIncident(trx, linkPayload(link).incidentId ?? '');
    if (!incident) throw new DomainError('TOKEN_INVALID');
    const now = deps.clock.now();
    const state = effectiveState(
      incident.state as IncidentState,
      incident.wait_until ? new Date(incident.wait_until) : null,
      now,
    );
    if (incident.proven_by && state !== 'dismissed') {
      await objectAfterProof(trx, deps, incident, message, origin);
      return;
    }
    if (state !== 'waiting') throw new DomainError('INCIDENT_STATE');
    const actor = actorFrom(origin);
    const objection = {
      message,
      at: now.toISOString(),
      ip: actor.ip,
      device: actor.device,
      from: incident.disputed_party,
    };
    await moveIncident(trx, incident.id, 'object', {
      objection: JSON.stringify(objection),
      updated_at: now.toISOString(),
    });
    await recordChange(trx, deps, {
      accountId: incident.account_id,
      kind: 'incident-disputed',
      actor,
      subjectId: incident.id,
      after: { from: incident.disputed_party },
    });
    const account = await requireAccount(trx, incident.account_id);
    await queueMail(trx, deps, {
      to: ownerAddressOf(incident, account),
      locale: account.locale,
      accountId: account.id,
      message: { template: 'incident-disputed', model: { objectedAt: now.toISOString() } },
    });
  });
  deps.mailQueued();
}

/**
 * The owner proved herself with a factor she held before the intrusion; the other party objects all the
 * same. That goes to a person, beside the proof, and reopens nothing to them: the state stays hers.
 */
async function objectAfterProof(
  trx: Executor,
  deps: ServiceDeps,
  incident: IncidentRow,
  message: string,
  origin: RequestOrigin,
): Promise<void> {
  const account = await requireAccount(trx, incident.account_id);
  const actor = actorFrom(origin);
  const now = deps.clock.now().toISOString();
  await insertSupportRequest(trx, {
    id: deps.random.id(),
    account_id: account.id,
    incident_id: incident.id,
    kind: 'message',
    body: message,
    phone: null,
    preferred_time: null,
    locale: account.locale,
    created_at: now,
    standing: 'newcomer',
  });
  await recordChange(trx, deps, {
    accountId: account.id,
    kind: 'objection-after-proof',
    actor,
    subjectId: incident.id,
    after: { from: incident.disputed_party },
  });
}

/** Worker tick: every wait that has run out without objection opens recovery and mails the owner a link. */
export async function advanceDueIncidents(deps: ServiceDeps): Promise<number> {
  const due = await listIncidentsDue(deps.db, 'waiting', deps.clock.now().toISOString());
  let opened = 0;
  for (const incident of due) {
    const moved = await deps.db
      .transaction()
      .execute(async (trx) => {
        const now = deps.clock.now().toISOString();
        await moveIncident(trx, incident.id, 'wait-elapsed', { recovery_opened_at: now, updated_at: now });
        await openRecovery(trx, deps, incident);
        return true;
      })
      // Objected or decided since it was listed: the table refuses, and this incident is not due any more.
      .catch((error: unknown) => {
        if (isRefusedTransition(error)) return false;
        throw error;
      });
    if (moved) opened += 1;
  }
  if (opened > 0) deps.mailQueued();
  return opened;
}

export async function openRecovery(trx: Executor, deps: ServiceDeps, incident: IncidentRow): Promise<void> {
  const account = await requireAccount(trx, incident.account_id);
  // Only ever to the address the account held at the compromise point, whatever the reporter ticked.
  const to = ownerAddressOf(incident, account);
  const recoveryLink = await issueLink(trx, deps, {
    accountId: account.id,
    purpose: 'incident-recovery',
    payload: { incidentId: incident.id },
    recipient: to,
  });
  await recordChange(trx, deps, {
    accountId: account.id,
    kind: 'recovery-opened',
    actor: SYSTEM_ACTOR,
    subjectId: incident.id,
  });
  await queueMail(trx, deps, {
    to,
    locale: account.locale,
    accountId: account.id,
    message: { template: 'recovery-open', model: { recoveryLink } },
  });
}

export async function viewRecovery(deps: ServiceDeps, token: unknown): Promise<IncidentRow> {
  const link = await peekLink(deps, token, 'incident-recovery');
  const incident = await findIncident(deps.db, linkPayload(link).incidentId ?? '');
  if (!incident || incident.state !== 'recovery-open') throw new DomainError('TOKEN_INVALID');
  return incident;
}

/** What the recovery page asks for: a second factor when the account had one, and whether a passkey can give it. */
export async function recoveryRequirements(
  deps: ServiceDeps,
  token: unknown,
): Promise<{ secondFactor: boolean; passkey: boolean; proven: boolean }> {
  const incident = await viewRecovery(deps, token);
  const secondFactor = needsSecondFactor(incident);
  return {
    proven: incident.proven_by !== null,
    secondFactor,
    passkey: secondFactor && (await hasPasskeyHeldAt(deps, incident.account_id, incident.compromise_at)),
  };
}

/** An account that had a second factor needs it in recovery, unless she already proved herself with one. */
function needsSecondFactor(incident: IncidentRow): boolean {
  return Number(incident.requires_second_factor) === 1 && !incident.proven_by;
}

/** A challenge for the passkeys the owner had before the compromise (the recovery link is the key). */
export async function recoveryPasskeyOptions(deps: ServiceDeps, token: unknown) {
  const incident = await viewRecovery(deps, token);
  if (!needsSecondFactor(incident)) throw new DomainError('PASSKEY_FAILED');
  return recoveryOptions(deps, incident.account_id, incident.compromise_at);
}

/** How the owner shows the second factor the account had: a TOTP or recovery code, or one of its passkeys. */
export type RecoveryProof = { code: string } | { passkey: AuthenticationResponseJSON };

/**
 * The owner sets a new password through the restored address. The account opens again, nobody is
 * signed in automatically, and the checklist waits on the account page.
 *
 * Without a password (`newPassword: null`) only after she proved herself with a factor she held before
 * the intrusion (prove.ts): the password stays off, and this browser is signed in so she can register a
 * new passkey at once; a passkey-only account is a full result. Returns that session's token.
 */
export async function completeRecovery(
  deps: ServiceDeps,
  token: unknown,
  input: { newPassword: string | null; proof: RecoveryProof | null },
  origin: RequestOrigin,
): Promise<{ sessionToken: string | null }> {
  const incident = await viewRecovery(deps, token);
  const account = await requireAccount(deps.db, incident.account_id);
  const needsFactor = needsSecondFactor(incident);
  const { proof, newPassword } = input;
  if (newPassword === null && !incident.proven_by) throw new DomainError('INCIDENT_STATE');
  if (needsFactor && !proof)
    throw new DomainError('SECOND_FACTOR_REQUIRED', { fields: [{ field: 'code', code: 'SECOND_FACTOR_REQUIRED' }] });
  if (newPassword !== null)
    deps.strength.assertAcceptable(newPassword, {
      shopName: deps.config.shopName,
      email: account.email,
      name: account.name,
      hasSecondFactor: needsFactor,
    });
  // Checked before the transaction opens: SQLite has one connection, and the check reads and writes.
  const passkey =
    needsFactor && proof && 'passkey' in proof
      ? await verifyRecoveryPasskey(deps, proof.passkey, account.id, incident.compromise_at)
      : null;
  const passwordHash = newPassword === null ? null : await deps.hasher.hash(newPassword);
  const sessionToken = await deps.db.transaction().execute(async (trx) => {
    if (needsFactor && proof && 'code' in proof)
      await verifySecondFactor(trx, deps, account.id, proof.code, origin, incident.compromise_at);
    await useLink(trx, deps, token, 'incident-recovery');
    if (passkey) await reinstatePasskey(trx, passkey);
    const now = deps.clock.now().toISOString();
    await moveIncident(trx, incident.id, 'recover', { recovered_at: now, updated_at: now });
    await updateAccount(trx, account.id, {
      ...(passwordHash === null ? {} : { password_hash: passwordHash, password_disabled_at: null }),
      status: 'active',
      irreversible_hold_until: irreversibleHoldUntil(deps, new Date(now)),
      updated_at: now,
    });
    // Nothing signed in while the account was locked; anything that did anyway ends with the old password.
    await endSessions(trx, deps, account.id, { all: true }, 'recovered', {
      initiatingEntity: 'user',
      txn: incident.id,
    });
    const actor = actorFrom(origin);
    await recordChange(trx, deps, { accountId: account.id, kind: 'account-recovered', actor, subjectId: incident.id });
    await noteSuccess(trx, account.email);
    await mailOwnerWithStatusLink(trx, deps, incident.id, account, ownerAddressOf(incident, account), (statusLink) => ({
      template: 'account-recovered',
      model: { statusLink, device: actor.device, ip: actor.ip, area: actor.area, occurredAt: now },
    }));
    if (passwordHash !== null) return null;
    const opened = await requireAccount(trx, account.id);
    const provenBy = incident.proven_by ? (JSON.parse(incident.proven_by) as { kind?: string }) : {};
    const factor = provenBy.kind === 'passkey' ? 'passkey' : 'second-factor';
    return (await finishSignIn(trx, deps, opened, origin, 'allow', factor)).token;
  });
  deps.mailQueued();
  return { sessionToken };
}

/** The owner ticks a checklist item; when every item is done the incident closes. */
export async function tickChecklistItem(
  deps: ServiceDeps,
  accountId: string,
  incidentId: string,
  item: string,
  origin: RequestOrigin,
): Promise<void> {
  if (!(CHECKLIST_ITEMS as readonly string[]).includes(item)) throw new DomainError('NOT_FOUND');
  await deps.db.transaction().execute(async (trx) => {
    const incident = await findIncident(trx, incidentId);
    if (!incident || incident.account_id !== accountId || incident.state !== 'recovered')
      throw new DomainError('NOT_FOUND');
    const now = deps.clock.now().toISOString();
    const checklist = parseChecklist(incident).map((entry) =>
      entry.item === item && !entry.doneAt ? { ...entry, doneAt: now } : entry,
    );
    const allDone = checklist.every((entry) => entry.doneAt);
    if (allDone)
      await moveIncident(trx, incident.id, 'close', {
        checklist: JSON.stringify(checklist),
        closed_at: now,
        updated_at: now,
      });
    else if (
      !(await updateIncidentFrom(trx, incident.id, 'recovered', {
        checklist: JSON.stringify(checklist),
        updated_at: now,
      }))
    )
      throw new DomainError('INCIDENT_STATE');
    await recordChange(trx, deps, {
      accountId,
      kind: 'checklist-item-done',
      actor: actorFrom(origin),
      subjectId: incident.id,
      after: { item },
    });
  });
}

/** The checklist after recovery, with what the shops answered about the orders and items they were asked about. */
export interface PendingChecklist {
  incidentId: string;
  /** No passkey on the account yet: the first item offers one, so next time takes a minute. */
  offerPasskey: boolean;
  items: ChecklistEntry[];
  shopRequests: ShopUndoRequestRow[];
  heldOrders: HeldOrder<ShopUndoRequestRow>[];
}

export async function pendingChecklistFor(deps: ServiceDeps, accountId: string): Promise<PendingChecklist | undefined> {
  const incident = await findRecoveredIncident(deps.db, accountId);
  if (!incident) return undefined;
  const shopRequests = await listShopUndoRequestsOfIncidents(deps.db, [incident.id]);
  return {
    incidentId: incident.id,
    offerPasskey: !(await secondFactorFlags(deps.db, accountId)).passkey,
    items: parseChecklist(incident),
    shopRequests,
    heldOrders: heldOrdersFrom(shopRequests, parseSteps(incident)),
  };
}

/**
 * The owner says the incident is theirs: on an incident a newcomer reported, the person who decides
 * sees it beside the report. Only a party whose address the account held before the compromise may.
 */
export async function claimIncident(deps: ServiceDeps, statusToken: unknown, origin: RequestOrigin): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const { incident, party } = await partyForStatusToken(trx, statusToken);
    if (party.standing !== 'owner' || reporterOf(incident)?.standing !== 'newcomer' || incident.state !== 'disputed')
      throw new DomainError('INCIDENT_STATE');
    const now = deps.clock.now().toISOString();
    if (!(await markPartyClaimed(trx, party.id, now))) return;
    await recordChange(trx, deps, {
      accountId: incident.account_id,
      kind: 'incident-claimed',
      actor: actorFrom(origin),
      subjectId: incident.id,
      after: { address: party.address },
    });
  });
}

/**
 * A report link that containment voided (or that was used) still leads its holder back, if they are
 * the owner: to the incident opened since it was mailed, through a link of their own. Anyone else's
 * link is a dead one, as it would be for any stranger.
 */
export async function incidentForSpentReportLink(
  deps: ServiceDeps,
  token: unknown,
): Promise<{ incident: IncidentRow; address: string }> {
  if (!looksLikeToken(token)) throw new DomainError('TOKEN_INVALID');
  const link = await findUnexpiredToken(deps.db, hashToken(token), 'report-change', deps.clock.now().toISOString());
  const incident = link ? await findLatestIncidentSince(deps.db, link.account_id, link.created_at) : undefined;
  if (!link?.recipient || !incident) throw new DomainError('TOKEN_INVALID');
  const address = link.recipient;
  const owners = (await listIncidentParties(deps.db, incident.id))
    .filter((p) => p.standing === 'owner')
    .map((p) => p.address);
  if (address !== incident.owner_email && !owners.includes(address)) throw new DomainError('TOKEN_INVALID');
  return { incident, address };
}

/** Opens the incident page for the owner who holds a spent report link: a fresh link of their own. */
export async function enterIncidentBySpentReportLink(deps: ServiceDeps, token: unknown): Promise<string> {
  const { incident, address } = await incidentForSpentReportLink(deps, token);
  return deps.db.transaction().execute((trx) => issuePartyLink(trx, deps, incident.id, address, 'owner'));
}
