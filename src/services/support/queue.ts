import {
  caseClocks,
  compareUrgency,
  nextDeadline,
  type CaseKind,
  type CaseTimes,
  type SlaClock,
} from '../../core/support/sla.ts';
import { listOpenIncidentsWithAccount, listOpenRequestsWithAccount } from '../../store/incidents.ts';
import { unansweredShopUndoRequestsByIncident } from '../../store/shop-undo-requests.ts';
import { listStaff } from '../../store/staff.ts';
import type { ServiceDeps } from '../deps.ts';

export interface QueueItem {
  kind: CaseKind;
  id: string;
  accountId: string;
  accountEmail: string;
  /** The incident's state, or the request's incident (if any). */
  state: string | null;
  incidentId: string | null;
  openedBy: string | null;
  openedAt: string;
  /** What the customer wrote, or the call-back's number and time. */
  summary: string | null;
  clocks: SlaClock[];
  next: SlaClock | null;
  /** Who took the case, if anyone. */
  assignedTo: string | null;
  /** Items the shops were asked to undo and have not answered: how many, and since when the oldest waits. */
  waitingOnShop: { count: number; since: string } | null;
}

const date = (value: string | null) => (value ? new Date(value) : null);

/** An incident row's times as the clocks read them; the queue and the case view both use it. */
export function incidentCaseTimes(row: {
  opened_by: string;
  created_at: string;
  first_response_at: string | null;
  contained_at: string | null;
  recovered_at: string | null;
  closed_at: string | null;
}): CaseTimes {
  return {
    kind: 'incident',
    selfServed: row.opened_by === 'customer-link',
    openedAt: new Date(row.created_at),
    firstResponseAt: date(row.first_response_at),
    containedAt: date(row.contained_at),
    recoveredAt: date(row.recovered_at),
    closedAt: date(row.closed_at),
  };
}

/** Incidents, messages and call-back requests in one list, the clock closest to breaching first. */
export async function supportQueue(deps: ServiceDeps, filter: { kind?: CaseKind } = {}): Promise<QueueItem[]> {
  const now = deps.clock.now();
  const targets = deps.config.sla;
  const [incidents, requests, staff, waitingOnShop] = await Promise.all([
    listOpenIncidentsWithAccount(deps.db),
    listOpenRequestsWithAccount(deps.db),
    listStaff(deps.db),
    unansweredShopUndoRequestsByIncident(deps.db),
  ]);
  const staffName = new Map(staff.map((s) => [s.id, s.name]));
  const holder = (id: string | null) => (id ? (staffName.get(id) ?? null) : null);
  const items: QueueItem[] = [
    ...incidents.map((row) => {
      const clocks = caseClocks(incidentCaseTimes(row), targets, now);
      return {
        kind: 'incident' as const,
        id: row.id,
        accountId: row.account_id,
        accountEmail: row.email,
        state: row.state,
        incidentId: row.id,
        openedBy: row.opened_by,
        openedAt: row.created_at,
        summary: null,
        clocks,
        next: nextDeadline(clocks),
        assignedTo: holder(row.assigned_staff_id),
        waitingOnShop: waitingOnShop.get(row.id) ?? null,
      };
    }),
    ...requests.map((row) => {
      const kind: CaseKind = row.kind === 'callback' ? 'callback' : 'message';
      const clocks = caseClocks(
        {
          kind,
          openedAt: new Date(row.created_at),
          firstResponseAt: date(row.first_response_at),
          containedAt: null,
          recoveredAt: null,
          closedAt: date(row.closed_at),
        },
        targets,
        now,
      );
      const summary = kind === 'callback' ? [row.phone, row.preferred_time].filter(Boolean).join(' · ') : row.body;
      return {
        kind,
        id: row.id,
        accountId: row.account_id,
        accountEmail: row.email,
        state: null,
        incidentId: row.incident_id,
        openedBy: null,
        openedAt: row.created_at,
        summary,
        clocks,
        next: nextDeadline(clocks),
        assignedTo: holder(row.assigned_staff_id),
        waitingOnShop: null,
      };
    }),
  ];
  return items
    .filter((item) => !filter.kind || item.kind === filter.kind)
    .sort((a, b) =>
      compareUrgency(
        { next: a.next, openedAt: new Date(a.openedAt) },
        { next: b.next, openedAt: new Date(b.openedAt) },
      ),
    );
}
