import { isCustomerChange, type ChangeActor, type ChangeValue, type StaffChangeKind } from '../../core/change-kinds.ts';
import { addMs } from '../../core/clock.ts';
import type { CallOutcome } from '../../core/support/call-outcomes.ts';
import { DomainError } from '../../core/errors.ts';
import type { IncidentState } from '../../core/incident/state.ts';
import type { Executor } from '../../store/database.ts';
import {
  assignCase,
  closeSupportRequest,
  findIncident,
  findSupportRequest,
  insertSupportNote,
  markFirstResponse,
  updateIncidentFrom,
  type IncidentRow,
} from '../../store/incidents.ts';
import { recordChange } from '../account-log/change-log.ts';
import { findAccountById } from '../../store/accounts.ts';
import { setExpiryOfIncidentLinks } from '../../store/one-time-tokens.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { describeArea } from '../../platform/device.ts';
import { openRecovery, ownerAddressOf, parseSteps } from '../incidents/lifecycle.ts';
import { moveIncident } from '../incidents/transition.ts';
import { applyUndo } from '../incidents/apply-undo.ts';
import { openIncident } from '../incidents/report.ts';
import { findLogEntry, toChangeRecord } from '../../store/account-log.ts';
import { queueMail } from '../notices/mail-queue.ts';
import { requireAccount } from '../account/profile.ts';
import { assertAdmin, type StaffSession } from './staff-accounts.ts';
import { findStaffById } from '../../store/staff.ts';

/** Every staff action is a change record on the customer's account with the staff member as actor (STANDARDS I4). */
export function staffActor(staff: StaffSession, origin: RequestOrigin): ChangeActor {
  return {
    type: 'staff',
    sessionId: staff.id,
    deviceId: null,
    device: `${staff.name} <${staff.email}>`,
    ip: origin.ip,
    area: describeArea(origin.ip, origin.country),
  };
}

export interface CaseRef {
  accountId: string;
  incidentId: string | null;
  requestId: string | null;
}

/** Every staff action is a change record on the customer's account, the staff member as its actor. */
async function recordStaffAction(
  trx: Executor,
  deps: ServiceDeps,
  staff: StaffSession,
  origin: RequestOrigin,
  action: { accountId: string; kind: StaffChangeKind; subjectId: string; before?: ChangeValue; after?: ChangeValue },
): Promise<void> {
  await recordChange(trx, deps, { ...action, actor: staffActor(staff, origin) });
}

/** The incident and request named must belong to the account named: a form cannot reach another customer's case. */
async function checkRef(trx: Executor, ref: CaseRef): Promise<{ incident: IncidentRow | undefined }> {
  // Staff acting on an account that does not exist get a 404, not the customer sign-in.
  if (!(await findAccountById(trx, ref.accountId))) throw new DomainError('NOT_FOUND');
  const incident = ref.incidentId ? await findIncident(trx, ref.incidentId) : undefined;
  if (ref.incidentId && incident?.account_id !== ref.accountId) throw new DomainError('NOT_FOUND');
  if (ref.requestId && (await findSupportRequest(trx, ref.requestId))?.account_id !== ref.accountId)
    throw new DomainError('NOT_FOUND');
  return { incident };
}

/** A reply or a call on the case's record, written by the staff member. */
async function writeNote(
  trx: Executor,
  deps: ServiceDeps,
  staff: StaffSession,
  ref: CaseRef,
  note: { kind: 'reply' | 'call'; body: string; outcome: CallOutcome | null; durationMinutes: number | null },
): Promise<{ id: string; now: string }> {
  const id = deps.random.id();
  const now = deps.clock.now().toISOString();
  await insertSupportNote(trx, {
    id,
    account_id: ref.accountId,
    incident_id: ref.incidentId,
    request_id: ref.requestId,
    staff_id: staff.staffId,
    kind: note.kind,
    body: note.body,
    outcome: note.outcome,
    duration_minutes: note.durationMinutes,
    created_at: now,
  });
  return { id, now };
}

/** A reply to the customer: mailed to the account's address and shown on the incident page. */
export async function replyToCustomer(
  deps: ServiceDeps,
  staff: StaffSession,
  origin: RequestOrigin,
  ref: CaseRef,
  body: string,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const { incident } = await checkRef(trx, ref);
    const account = await requireAccount(trx, ref.accountId);
    // About an incident, support writes to the owner's address, never to one the intruder set.
    const to = incident ? ownerAddressOf(incident, account) : account.email;
    const { id, now } = await writeNote(trx, deps, staff, ref, {
      kind: 'reply',
      body,
      outcome: null,
      durationMinutes: null,
    });
    await markFirstResponse(trx, ref.incidentId, ref.requestId, now);
    await recordStaffAction(trx, deps, staff, origin, {
      accountId: account.id,
      kind: 'support-reply',
      subjectId: id,
      after: { incident: ref.incidentId },
    });
    await queueMail(trx, deps, {
      to,
      locale: account.locale,
      accountId: account.id,
      message: { template: 'support-reply', model: { body, staffName: staff.name } },
    });
  });
  deps.mailQueued();
}

/** A phone call, logged: a call that reached the customer answers (and closes) the call-back request. */
export async function logCall(
  deps: ServiceDeps,
  staff: StaffSession,
  origin: RequestOrigin,
  ref: CaseRef,
  call: { outcome: CallOutcome; durationMinutes: number; notes: string },
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await checkRef(trx, ref);
    const { id, now } = await writeNote(trx, deps, staff, ref, {
      kind: 'call',
      body: call.notes,
      outcome: call.outcome,
      durationMinutes: call.durationMinutes,
    });
    if (call.outcome === 'reached') {
      await markFirstResponse(trx, ref.incidentId, ref.requestId, now);
      if (ref.requestId) await closeSupportRequest(trx, ref.requestId, now);
    }
    await recordStaffAction(trx, deps, staff, origin, {
      accountId: ref.accountId,
      kind: 'call-logged',
      subjectId: id,
      after: { outcome: call.outcome, minutes: call.durationMinutes },
    });
  });
}

/**
 * A person decides a dispute (admin): for the owner, recovery opens now with a link to the restored
 * address; against the owner, the incident is dismissed and the account stays locked for follow-up.
 */
export async function resolveDispute(
  deps: ServiceDeps,
  staff: StaffSession,
  origin: RequestOrigin,
  ref: { accountId: string; incidentId: string },
  decision: 'owner' | 'other',
  reason: string,
): Promise<void> {
  assertAdmin(deps, staff, 'resolve-dispute');
  await deps.db.transaction().execute(async (trx) => {
    const { incident } = await checkRef(trx, { ...ref, requestId: null });
    if (!incident) throw new DomainError('NOT_FOUND');
    const now = deps.clock.now().toISOString();
    const { to } = await moveIncident(
      trx,
      incident.id,
      decision === 'owner' ? 'resolve-for-owner' : 'resolve-against-owner',
      {
        updated_at: now,
        ...(decision === 'owner' ? { recovery_opened_at: now } : { closed_at: now }),
      },
    );
    await markFirstResponse(trx, incident.id, null, now);
    await recordStaffAction(trx, deps, staff, origin, {
      accountId: incident.account_id,
      kind: 'dispute-resolved',
      subjectId: incident.id,
      after: { decision, reason },
    });
    if (to === 'recovery-open') await openRecovery(trx, deps, incident);
  });
  deps.mailQueued();
}

/**
 * Shortens or extends the waiting period, with the reason on record: an agent who has verified the
 * owner by phone can open recovery now; the reason is what a review reads later.
 */
export async function changeWait(
  deps: ServiceDeps,
  staff: StaffSession,
  origin: RequestOrigin,
  ref: { accountId: string; incidentId: string },
  minutesFromNow: number,
  reason: string,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const { incident } = await checkRef(trx, { ...ref, requestId: null });
    if (!incident) throw new DomainError('NOT_FOUND');
    if ((incident.state as IncidentState) !== 'waiting') throw new DomainError('INCIDENT_STATE');
    const now = deps.clock.now();
    const waitUntil = addMs(now, minutesFromNow * 60_000).toISOString();
    if (
      !(await updateIncidentFrom(trx, incident.id, 'waiting', { wait_until: waitUntil, updated_at: now.toISOString() }))
    )
      throw new DomainError('INCIDENT_STATE');
    // The other party may object for exactly as long as the wait runs.
    await setExpiryOfIncidentLinks(trx, incident.account_id, 'object-incident', incident.id, waitUntil);
    await recordStaffAction(trx, deps, staff, origin, {
      accountId: incident.account_id,
      kind: 'wait-changed',
      subjectId: incident.id,
      before: { wait_until: incident.wait_until },
      after: { wait_until: waitUntil, reason },
    });
  });
}

/** Closes a message or call-back request that needs nothing more. */
export async function closeRequest(
  deps: ServiceDeps,
  staff: StaffSession,
  origin: RequestOrigin,
  accountId: string,
  requestId: string,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const request = await findSupportRequest(trx, requestId);
    if (!request || request.account_id !== accountId) throw new DomainError('NOT_FOUND');
    if (!(await closeSupportRequest(trx, requestId, deps.clock.now().toISOString())))
      throw new DomainError('INCIDENT_STATE');
    await recordStaffAction(trx, deps, staff, origin, {
      accountId,
      kind: 'case-closed',
      subjectId: requestId,
      after: { request: request.kind },
    });
  });
}

/** Gives a case to a staff member (oneself by default): the queue shows who holds it. */
export async function assignCaseTo(
  deps: ServiceDeps,
  staff: StaffSession,
  origin: RequestOrigin,
  target: { accountId: string; kind: 'incident' | 'request'; id: string; toStaffId: string | null },
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const holder = target.toStaffId
      ? await findStaffById(trx, target.toStaffId)
      : { id: staff.staffId, email: staff.email, disabled_at: null };
    if (!holder || holder.disabled_at) throw new DomainError('NOT_FOUND');
    const owner =
      target.kind === 'incident'
        ? (await findIncident(trx, target.id))?.account_id
        : (await findSupportRequest(trx, target.id))?.account_id;
    if (owner !== target.accountId || !(await assignCase(trx, target.kind, target.id, holder.id)))
      throw new DomainError('NOT_FOUND');
    await recordStaffAction(trx, deps, staff, origin, {
      accountId: target.accountId,
      kind: 'case-assigned',
      subjectId: target.id,
      after: { to: holder.email },
    });
  });
}

/**
 * Support contains the account from a change the customer (on the phone, or by message) says was not
 * theirs: the same containment and undo plan as the customer's own link, opened by staff. The owner
 * gets the incident mail with the status page; recovery follows the usual wait.
 */
export async function containFromChange(
  deps: ServiceDeps,
  staff: StaffSession,
  origin: RequestOrigin,
  accountId: string,
  changeId: string,
): Promise<string> {
  const opened = await deps.db.transaction().execute(async (trx) => {
    const row = await findLogEntry(trx, changeId);
    const change = row ? toChangeRecord(row) : undefined;
    if (!change || change.accountId !== accountId || !isCustomerChange(change.kind)) throw new DomainError('NOT_FOUND');
    const incident = await openIncident(trx, deps, change, {
      chosenChangeIds: null,
      reporter: staffActor(staff, origin),
      openedBy: 'staff',
      via: null,
    });
    await markFirstResponse(trx, incident.incidentId, null, deps.clock.now().toISOString());
    return incident;
  });
  deps.log.info(
    { event: 'incident_opened', by: staff.email, accountId, incidentId: opened.incidentId },
    'incident_opened',
  );
  deps.mailQueued();
  return opened.incidentId;
}

/** Undoes one step the plan left alone (unticked, or undone later on review): admin only. */
export async function undoOneChange(
  deps: ServiceDeps,
  staff: StaffSession,
  origin: RequestOrigin,
  accountId: string,
  incidentId: string,
  changeId: string,
): Promise<void> {
  assertAdmin(deps, staff, 'undo-change');
  await deps.db.transaction().execute(async (trx) => {
    const incident = await findIncident(trx, incidentId);
    if (!incident || incident.account_id !== accountId) throw new DomainError('NOT_FOUND');
    const steps = parseSteps(incident);
    const step = steps.find((s) => s.changeId === changeId);
    if (
      !step ||
      step.outcome === 'undone' ||
      step.outcome === 'asked' ||
      step.action === 'none' ||
      step.conflict !== null
    )
      throw new DomainError('INCIDENT_STATE');
    const [applied] = await applyUndo(
      trx,
      deps,
      { id: incident.id, accountId },
      [{ ...step, selected: true }],
      staffActor(staff, origin),
    );
    if (!applied || (applied.outcome !== 'undone' && applied.outcome !== 'asked'))
      throw new DomainError('INCIDENT_STATE');
    const plan = steps.map((s) => (s.changeId === changeId ? applied : s));
    if (
      !(await updateIncidentFrom(trx, incident.id, incident.state, {
        plan: JSON.stringify(plan),
        updated_at: deps.clock.now().toISOString(),
      }))
    )
      throw new DomainError('INCIDENT_STATE');
  });
}
