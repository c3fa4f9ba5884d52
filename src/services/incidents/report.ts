import { addMs, HOUR_MS } from '../../core/clock.ts';
import { maskEmail } from '../../core/email-address.ts';
import { DomainError } from '../../core/errors.ts';
import type { ChangeActor, ChangeRecord } from '../../core/change-kinds.ts';
import { buildChecklist } from '../../core/incident/checklist.ts';
import { judgeReporter, type Reporter, type ReporterStanding } from '../../core/incident/standing.ts';
import { nextState } from '../../core/incident/state.ts';
import { withSelection, type UndoStep } from '../../core/incident/undo-plan.ts';
import { findLogEntry, toChangeRecord } from '../../store/account-log.ts';
import { updateAccount } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import { deviceStanding, forgetDevices } from '../../store/devices.ts';
import { totpFactorsHeldAt } from '../../store/factors.ts';
import { passkeysHeldAt } from '../../store/passkeys.ts';
import { voidDelayedChanges } from '../../store/delayed-changes.ts';
import { findOpenIncident, insertIncident, isOneOpenIncidentViolation } from '../../store/incidents.ts';
import { voidTokens } from '../../store/one-time-tokens.ts';
import { actorFrom, recordChange, SYSTEM_ACTOR } from '../account-log/change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { queueMail } from '../notices/mail-queue.ts';
import { issueLink, linkPayload, peekLink, useLink } from '../notices/one-time-links.ts';
import { requireAccount } from '../account/profile.ts';
import { endSessions } from '../sessions/end-sessions.ts';
import { queueSecurityEvents } from '../ssf/security-events.ts';
import { containmentEvents } from '../../core/ssf/change-events.ts';
import { hashToken } from '../../platform/token-hash.ts';
import { applyUndo, type AppliedStep } from './apply-undo.ts';
import { incidentAddresses, issuePartyLink, mailIncidentPage } from './parties.ts';
import { ordersAskedToHold } from '../../core/shop/held-orders.ts';
import { planForReport } from './plan.ts';

export const DEFAULT_WAIT_MS = 5 * HOUR_MS;

export interface ReportView {
  change: ChangeRecord;
  steps: UndoStep[];
  compromiseAt: string;
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
  if (await findOpenIncident(deps.db, change.accountId)) throw new DomainError('INCIDENT_ALREADY_OPEN');
  const plan = await planForReport(deps.db, change);
  return { change, steps: plan.steps, compromiseAt: plan.compromiseAt };
}

export interface OpenedIncident {
  incidentId: string;
  accountId: string;
  /** The reporter's own link to the incident page. */
  statusToken: string;
  applied: AppliedStep[];
  reporter: ReporterStanding;
}

/**
 * "This wasn't me": in one transaction, use the link, contain the account (lock it, end every session,
 * disable the password, void every outstanding link), apply the undo plan the reporter confirmed, and
 * open the dispute window. Who may choose what is undone, and whether a wait can open recovery at
 * all, depends on whether the reporter is the owner (src/core/incident/standing.ts).
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
    const via: Omit<Reporter, 'deviceFirstSeenAt'> = {
      address: link.recipient,
      sessionId: origin.sessionId ?? null,
      deviceId: origin.deviceId ?? null,
    };
    return openIncident(trx, deps, change, {
      chosenChangeIds,
      reporter: actorFrom(origin),
      openedBy: 'customer-link',
      via,
    });
  });
  deps.log.info(
    {
      event: 'incident_opened',
      accountId: opened.accountId,
      incidentId: opened.incidentId,
      standing: opened.reporter.standing,
      reasons: opened.reporter.reasons,
    },
    'incident_opened',
  );
  deps.mailQueued();
  return opened;
}

async function judge(
  trx: Executor,
  accountId: string,
  via: Omit<Reporter, 'deviceFirstSeenAt'> | null,
  owners: ReadonlySet<string>,
  plan: Awaited<ReturnType<typeof planForReport>>,
): Promise<ReporterStanding> {
  if (!via) return { standing: 'staff', address: null, reasons: [] };
  const device = via.deviceId ? await deviceStanding(trx, accountId, via.deviceId) : null;
  return judgeReporter({ ...via, deviceFirstSeenAt: device?.firstSeenAt ?? null }, owners, plan.suspects);
}

/**
 * Opens an incident from a change, in the caller's transaction: contain the account (lock it, end every
 * session, disable the password, void every outstanding link and held change), apply the undo plan,
 * and tell every address the account held in the last 7 days, each by its standing. The owner's
 * report (or staff's) may choose what is undone and starts the dispute window; anyone else's report
 * undoes the whole plan and goes to a person (no wait can run out for them). Recovery only ever goes
 * to the address the account held at the compromise point.
 */
export async function openIncident(
  trx: Executor,
  deps: ServiceDeps,
  change: ChangeRecord,
  how: {
    chosenChangeIds: ReadonlySet<string> | null;
    reporter: ChangeActor;
    openedBy: 'customer-link' | 'staff';
    via: Omit<Reporter, 'deviceFirstSeenAt'> | null;
  },
): Promise<OpenedIncident> {
  const accountBefore = await requireAccount(trx, change.accountId);
  if (await findOpenIncident(trx, change.accountId)) throw new DomainError('INCIDENT_ALREADY_OPEN');

  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const plan = await planForReport(trx, change);
  const addresses = await incidentAddresses(trx, change.accountId, accountBefore.email, plan.compromiseAt, now);
  const reporter = await judge(trx, change.accountId, how.via, addresses.owners, plan);
  const trusted = reporter.standing !== 'newcomer';
  // A newcomer cannot keep what the suspects changed by unticking it: the whole plan is applied.
  const steps = trusted && how.chosenChangeIds ? withSelection(plan.steps, how.chosenChangeIds) : plan.steps;

  const incidentId = deps.random.id();
  // Contain first: from here on nothing the attacker holds works, here or at the shops.
  await updateAccount(trx, change.accountId, { status: 'locked', password_disabled_at: nowIso, updated_at: nowIso });
  // The shops hear it first: disabled as hijacked, before the sessions' end and the undo (issue 24).
  await queueSecurityEvents(trx, deps, containmentEvents(change.accountId, incidentId));
  const containment = { initiatingEntity: how.openedBy === 'staff' ? 'admin' : 'user', txn: incidentId } as const;
  await endSessions(trx, deps, change.accountId, { all: true }, 'incident', containment);
  // The suspects' browsers are strangers again: no exemption from throttles and limits a known browser has.
  await forgetDevices(trx, change.accountId, [...plan.suspects.deviceIds]);
  await voidTokens(trx, change.accountId, 'all', nowIso);
  await voidDelayedChanges(trx, change.accountId, nowIso);

  const applied = await applyUndo(trx, deps, { id: incidentId, accountId: change.accountId }, steps);
  const account = await requireAccount(trx, change.accountId);
  const newcomers = [...addresses.everyone].filter((address) => !addresses.owners.has(address));
  const disputedParty = newcomers.includes(accountBefore.email) ? accountBefore.email : (newcomers[0] ?? null);

  // NIST SP 800-63B-4 §4.2: an email link alone does not recover an account that had a second factor.
  const requiresSecondFactor =
    (await totpFactorsHeldAt(trx, change.accountId, plan.compromiseAt)).length > 0 ||
    (await passkeysHeldAt(trx, change.accountId, plan.compromiseAt)).length > 0;
  const waitUntil = trusted ? addMs(now, deps.config.incidentWaitMs) : null;
  const state = nextState(nextState('reported', 'contain'), trusted ? 'start-wait' : 'refer');
  const reporterToken = deps.random.token();
  const insert = insertIncident(trx, {
    id: incidentId,
    account_id: change.accountId,
    state,
    opened_by: how.openedBy,
    reported_change_id: change.id,
    compromise_at: plan.compromiseAt,
    plan: JSON.stringify(applied),
    checklist: JSON.stringify(
      buildChecklist(applied.filter((s) => s.outcome === 'undone' || s.outcome === 'asked')).map((item) => ({
        item,
        doneAt: null,
      })),
    ),
    disputed_party: disputedParty,
    status_token_hash: hashToken(reporterToken),
    wait_until: waitUntil?.toISOString() ?? null,
    created_at: nowIso,
    updated_at: nowIso,
    contained_at: nowIso,
    requires_second_factor: requiresSecondFactor ? 1 : 0,
    owner_email: addresses.ownerEmail,
    reported_by: JSON.stringify(reporter),
  });
  // The store keeps one open incident per account: a report racing another loses here.
  await insert.catch((error: unknown) => {
    throw isOneOpenIncidentViolation(error) ? new DomainError('INCIDENT_ALREADY_OPEN') : error;
  });
  // Staff open incidents from the desk: only the addresses get links. A reporter gets one of their own.
  const statusToken = how.via
    ? await issuePartyLink(trx, deps, incidentId, how.via.address, reporter.standing === 'owner' ? 'owner' : 'newcomer')
    : reporterToken;
  await recordChange(trx, deps, {
    accountId: change.accountId,
    kind: 'incident-opened',
    actor: how.reporter,
    subjectId: incidentId,
    after: { reportedChange: change.kind, standing: reporter.standing },
  });
  const undone = applied.filter((s) => s.outcome === 'undone').length;
  await recordChange(trx, deps, {
    accountId: change.accountId,
    kind: 'account-contained',
    actor: SYSTEM_ACTOR,
    subjectId: incidentId,
    after: { undone, waitUntil: waitUntil?.toISOString() ?? null },
  });

  for (const to of addresses.everyone) {
    if (addresses.owners.has(to)) {
      await mailIncidentPage(
        trx,
        deps,
        { id: incidentId, waitUntil: waitUntil?.toISOString() ?? null, undone, heldOrders: ordersAskedToHold(applied) },
        account,
        to,
      );
    } else if (trusted && waitUntil) {
      const objectLink = await issueLink(trx, deps, {
        accountId: account.id,
        purpose: 'object-incident',
        payload: { incidentId },
        ttlMs: deps.config.incidentWaitMs,
        recipient: to,
        keepOthers: true,
      });
      await queueMail(trx, deps, {
        to,
        locale: account.locale,
        accountId: account.id,
        message: {
          template: 'incident-objection-invite',
          model: {
            objectLink,
            waitUntil: waitUntil.toISOString(),
            accountEmailMasked: maskEmail(addresses.ownerEmail),
          },
        },
      });
    }
  }
  return { incidentId, accountId: account.id, statusToken, applied, reporter };
}
