import type { ChangeRecord } from '../../core/change-kinds.ts';
import { effectiveState, type IncidentState } from '../../core/incident/state.ts';
import { caseClocks, type SlaClock } from '../../core/support/sla.ts';
import { listWholeLog, toChangeRecord } from '../../store/account-log.ts';
import { findAccountById } from '../../store/accounts.ts';
import { listKnownDevices } from '../../store/devices.ts';
import {
  listIncidentsForAccount,
  listRequestsForAccount,
  listSupportNotes,
  type IncidentRow,
  type SupportNoteRow,
  type SupportRequestRow,
} from '../../store/incidents.ts';
import { listMailForAccount } from '../../store/outbox.ts';
import { listShopUndoRequestsOfIncidents, type ShopUndoRequestRow } from '../../store/shop-undo-requests.ts';
import { shopDeliveries, type FailingStream, type ShopDelivery } from './shop-deliveries.ts';
import { listRiskDecisions, type RiskDecisionRow } from '../../store/risk.ts';
import { listRecentSessions, type SessionRow } from '../../store/sessions.ts';
import { listStaff } from '../../store/staff.ts';
import { DomainError } from '../../core/errors.ts';
import type { ServiceDeps } from '../deps.ts';
import { parseSteps } from '../incidents/lifecycle.ts';
import { reporterOf } from '../incidents/parties.ts';
import type { ReporterStanding } from '../../core/incident/standing.ts';
import { listIncidentParties, type IncidentPartyRow } from '../../store/incident-parties.ts';
import type { AppliedStep } from '../incidents/apply-undo.ts';
import { incidentCaseTimes } from './queue.ts';
import { importOrigins } from '../../store/imported-accounts.ts';

export interface Objection {
  message: string;
  at: string;
  ip: string;
  device: string;
  from: string | null;
}

export interface IncidentCase {
  incident: IncidentRow;
  state: IncidentState;
  steps: AppliedStep[];
  /** What the shops were asked to undo for this incident, and their answers. */
  shopRequests: ShopUndoRequestRow[];
  objection: Objection | null;
  /** Who reported, and why they may not be the owner (shown plainly to staff). */
  reporter: ReporterStanding | null;
  /** The owner's addresses that said, from their incident page, the account is theirs. */
  claims: { address: string | null; at: string }[];
  clocks: SlaClock[];
  assignedTo: string | null;
}

/** Everything support needs about one account; never its password or any secret. */
export interface CaseView {
  account: {
    id: string;
    email: string;
    name: string;
    phone: string | null;
    status: string;
    createdAt: string;
    passwordDisabled: boolean;
  };
  incidents: IncidentCase[];
  requests: (SupportRequestRow & { assignedTo: string | null })[];
  notes: (SupportNoteRow & { staffName: string })[];
  timeline: ChangeRecord[];
  sessions: SessionRow[];
  devices: { device_id: string; first_seen_at: string }[];
  risk: RiskDecisionRow[];
  notices: Awaited<ReturnType<typeof listMailForAccount>>;
  /** Logout tokens sent to shops when sessions ended, with each delivery attempt and the shop's answer. */
  shopSignOuts: ShopDelivery[];
  /** Security events sent to shops' streams about this account, likewise. */
  securityEvents: ShopDelivery[];
  failingStreams: FailingStream[];
  /** Who a case can be given to. */
  team: { id: string; name: string }[];
  /**
   * Brought by a shop (issue 26): from which (the client's name, or its id once the client is gone), when,
   * and the imported hash's format while it waits for her first right password ('none': imported without
   * one; null: done with, then `passwordHere` says whether she has a Mamori password or went by a passkey).
   */
  imported: { shops: { name: string; at: string }[]; hashFormat: string | null; passwordHere: boolean } | null;
}

const date = (value: string | null) => (value ? new Date(value) : null);

export async function caseView(deps: ServiceDeps, accountId: string): Promise<CaseView> {
  const account = await findAccountById(deps.db, accountId);
  if (!account) throw new DomainError('NOT_FOUND');
  const now = deps.clock.now();
  const [incidents, requests, notes, log, sessions, devices, risk, notices, toShops, staff, origins] =
    await Promise.all([
      listIncidentsForAccount(deps.db, accountId),
      listRequestsForAccount(deps.db, accountId),
      listSupportNotes(deps.db, accountId),
      listWholeLog(deps.db, accountId),
      listRecentSessions(deps.db, accountId, 20),
      listKnownDevices(deps.db, accountId),
      listRiskDecisions(deps.db, accountId, 50),
      listMailForAccount(deps.db, accountId, 50),
      shopDeliveries(deps.db, accountId, 50),
      listStaff(deps.db),
      importOrigins(deps.db, accountId),
    ]);
  const staffName = new Map(staff.map((s) => [s.id, s.name]));
  const partiesByIncident = new Map<string, IncidentPartyRow[]>(
    await Promise.all(incidents.map(async (i) => [i.id, await listIncidentParties(deps.db, i.id)] as const)),
  );
  const shopRequests = await listShopUndoRequestsOfIncidents(
    deps.db,
    incidents.map((i) => i.id),
  );
  return {
    account: {
      id: account.id,
      email: account.email,
      name: account.name,
      phone: account.phone,
      status: account.status,
      createdAt: account.created_at,
      passwordDisabled: account.password_disabled_at !== null,
    },
    incidents: incidents.map((incident) => ({
      incident,
      state: effectiveState(incident.state as IncidentState, date(incident.wait_until), now),
      steps: parseSteps(incident),
      shopRequests: shopRequests.filter((r) => r.incident_id === incident.id),
      objection: incident.objection ? (JSON.parse(incident.objection) as Objection) : null,
      reporter: reporterOf(incident),
      claims: (partiesByIncident.get(incident.id) ?? []).flatMap((p) =>
        p.claimed_at ? [{ address: p.address, at: p.claimed_at }] : [],
      ),
      clocks: caseClocks(incidentCaseTimes(incident), deps.config.sla, now),
      assignedTo: incident.assigned_staff_id ? (staffName.get(incident.assigned_staff_id) ?? null) : null,
    })),
    requests: requests.map((r) => ({
      ...r,
      assignedTo: r.assigned_staff_id ? (staffName.get(r.assigned_staff_id) ?? null) : null,
    })),
    notes: notes.map((n) => ({ ...n, staffName: staffName.get(n.staff_id) ?? '' })),
    timeline: log.map(toChangeRecord).reverse(),
    sessions,
    devices,
    risk,
    notices,
    shopSignOuts: toShops.signOuts,
    securityEvents: toShops.securityEvents,
    failingStreams: toShops.failingStreams,
    team: staff.filter((s) => !s.disabled_at).map((s) => ({ id: s.id, name: s.name })),
    imported: importedOf(origins, account.password_hash !== null),
  };
}

function importedOf(origins: Awaited<ReturnType<typeof importOrigins>>, passwordHere: boolean): CaseView['imported'] {
  if (origins.shops.length === 0) return null;
  return {
    shops: origins.shops.map((shop) => ({ name: shop.name ?? shop.clientId, at: shop.importedAt })),
    hashFormat: origins.password ? (origins.password.format ?? 'none') : null,
    passwordHere,
  };
}
