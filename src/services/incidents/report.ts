import { addMs, HOUR_MS } from '../../core/clock.ts';
import { maskEmail } from '../../core/email-address.ts';
import { DomainError } from '../../core/errors.ts';
import type { ChangeActor, ChangeRecord } from '../../core/change-kinds.ts';
import { buildChecklist } from '../../core/incident/checklist.ts';
import { nextState } from '../../core/incident/state.ts';
import { withSelection, type UndoStep } from '../../core/incident/undo-plan.ts';
import { findLogEntry, toChangeRecord } from '../../store/account-log.ts';
import { updateAccount } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import { totpFactorsHeldAt } from '../../store/factors.ts';
import { passkeysHeldAt } from '../../store/passkeys.ts';
import { voidHeldChanges } from '../../store/held-changes.ts';
import { findOpenIncident, insertIncident } from '../../store/incidents.ts';
import { voidTokens } from '../../store/one-time-tokens.ts';
import { revokeAllSessions } from '../../store/sessions.ts';
import { actorFrom, recordChange, SYSTEM_ACTOR } from '../change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { queueMail } from '../mail-queue.ts';
import { issueLink, linkPayload, peekLink, useLink } from '../one-time-links.ts';
import { requireAccount } from '../profile.ts';
import { hashToken } from '../token-hash.ts';
import { applyUndo, type AppliedStep } from './apply-undo.ts';
import { planForReport } from './plan.ts';

export const DEFAULT_WAIT_MS = 5 * HOUR_MS;

export interface ReportView {
  change: ChangeRecord;
  steps: UndoStep[];
  compromiseAt: string;
  alreadyOpenIncident: boolean;
}

async function reportedChange(db: Executor, changeId: string | undefined): Promise<ChangeRecord> {
  const row = changeId ? await findLogEntry(db, changeId) : undefined;
  if (!row) throw new DomainError('TOKEN_INVALID');
  return toChangeRecord(row);
}

/** GET of a "This wasn't me" link: what happened and what would be undone. Changes nothing. */
export async function viewReport(deps: ServiceDeps, token: unknown): Promise<ReportView> {
  const link = await peekLink(deps, token, 'report-change');
  const change = await reportedChange(deps.db, linkPayload(link).changeId);
  const plan = await planForReport(deps.db, change);
  const open = await findOpenIncident(deps.db, change.accountId);
  return { change, steps: plan.steps, compromiseAt: plan.compromiseAt, alreadyOpenIncident: open !== undefined };
}

export interface OpenedIncident {
  incidentId: string;
  statusToken: string;
  applied: AppliedStep[];
}

/**
 * "This wasn't me": in one transaction, use the link, contain the account (lock it, end every session,
 * disable the password, void every outstanding link), apply the undo plan the reporter confirmed, and
 * open the dispute window. Then tell the owner at the restored address and the other party.
 */
export async function reportChange(
  deps: ServiceDeps,
  token: unknown,
  chosenChangeIds: ReadonlySet<string>,
  origin: RequestOrigin,
): Promise<OpenedIncident> {
  const opened = await deps.db.transaction().execute(async (trx) => {
    const link = await useLink(trx, deps, token, 'report-change');
    const change = await reportedChange(trx, linkPayload(link).changeId);
    return openIncident(trx, deps, change, { chosenChangeIds, reporter: actorFrom(origin), openedBy: 'customer-link' });
  });
  deps.mailQueued();
  return opened;
}

/**
 * Opens an incident from a change, in the caller's transaction: contain the account (lock it, end every
 * session, disable the password, void every outstanding link and held change), apply the undo plan
 * (the chosen steps, or the plan's own selection), open the dispute window, and tell the owner at the
 * restored address and the other party. The customer's link and support's "contain" both come here.
 */
export async function openIncident(
  trx: Executor,
  deps: ServiceDeps,
  change: ChangeRecord,
  how: { chosenChangeIds: ReadonlySet<string> | null; reporter: ChangeActor; openedBy: 'customer-link' | 'staff' },
): Promise<OpenedIncident> {
  const accountBefore = await requireAccount(trx, change.accountId);
  const existing = await findOpenIncident(trx, change.accountId);
  if (existing) throw new DomainError('INCIDENT_ALREADY_OPEN');

  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const plan = await planForReport(trx, change);
  const steps = how.chosenChangeIds ? withSelection(plan.steps, how.chosenChangeIds) : plan.steps;

  // Contain first: from here on nothing the attacker holds works.
  await updateAccount(trx, change.accountId, { status: 'locked', password_disabled_at: nowIso, updated_at: nowIso });
  await revokeAllSessions(trx, change.accountId, nowIso, 'incident');
  await voidTokens(trx, change.accountId, 'all', nowIso);
  await voidHeldChanges(trx, change.accountId, nowIso);

  const applied = await applyUndo(trx, deps, change.accountId, steps);
  const account = await requireAccount(trx, change.accountId);
  const attackerEmail = applied.find((s) => s.action === 'restore-email' && s.outcome === 'undone')?.after?.email;
  const disputedParty = typeof attackerEmail === 'string' && attackerEmail !== account.email ? attackerEmail : null;

  // NIST SP 800-63B-4 §4.2: an email link alone does not recover an account that had a second factor.
  const requiresSecondFactor = (await totpFactorsHeldAt(trx, change.accountId, plan.compromiseAt)).length > 0 || (await passkeysHeldAt(trx, change.accountId, plan.compromiseAt)).length > 0;
  const incidentId = deps.random.id();
  const statusToken = deps.random.token();
  const waitUntil = addMs(now, deps.config.incidentWaitMs);
  const state = nextState(nextState('reported', 'contain'), 'start-wait');
  await insertIncident(trx, {
    id: incidentId,
    account_id: change.accountId,
    state,
    opened_by: how.openedBy,
    reported_change_id: change.id,
    compromise_at: plan.compromiseAt,
    plan: JSON.stringify(applied),
    checklist: JSON.stringify(buildChecklist(applied.filter((s) => s.outcome === 'undone')).map((item) => ({ item, doneAt: null }))),
    disputed_party: disputedParty,
    status_token_hash: hashToken(statusToken),
    wait_until: waitUntil.toISOString(),
    created_at: nowIso,
    updated_at: nowIso,
    contained_at: nowIso,
    requires_second_factor: requiresSecondFactor ? 1 : 0,
  });
  const reporter = how.reporter;
  await recordChange(trx, deps, { accountId: change.accountId, kind: 'incident-opened', actor: reporter, subjectId: incidentId, after: { reportedChange: change.kind } });
  await recordChange(trx, deps, {
    accountId: change.accountId,
    kind: 'account-contained',
    actor: SYSTEM_ACTOR,
    subjectId: incidentId,
    after: { undone: applied.filter((s) => s.outcome === 'undone').length, waitUntil: waitUntil.toISOString() },
  });

  const statusLink = `${deps.config.publicUrl}/incident?token=${statusToken}`;
  const undone = applied.filter((s) => s.outcome === 'undone').length;
  const recipients = new Set([account.email, accountBefore.email]);
  if (disputedParty) recipients.delete(disputedParty);
  for (const to of recipients) {
    await queueMail(trx, deps, {
      to,
      locale: account.locale,
      accountId: account.id,
      message: { template: 'incident-contained', model: { statusLink, waitUntil: waitUntil.toISOString(), undone } },
    });
  }
  if (disputedParty) {
    const objectLink = await issueLink(trx, deps, {
      accountId: account.id,
      purpose: 'object-incident',
      payload: { incidentId },
      ttlMs: deps.config.incidentWaitMs,
    });
    await queueMail(trx, deps, {
      to: disputedParty,
      locale: account.locale,
      accountId: account.id,
      message: { template: 'incident-objection-invite', model: { objectLink, waitUntil: waitUntil.toISOString(), accountEmailMasked: maskEmail(account.email) } },
    });
  }
  return { incidentId, statusToken, applied };
}
