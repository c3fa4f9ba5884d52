import type { ClockKind } from '../../core/support/sla.ts';
import { daysBetween, summarize, type Summary } from '../../core/support/stats.ts';
import { listIncidentsOpenedBetween, listRequestsOpenedBetween } from '../../store/incidents.ts';
import type { ServiceDeps } from '../deps.ts';

export interface ClockStats extends Summary {
  targetMs: number;
  /** Cases that took longer than the target (or are still running past it). */
  missed: number;
  daily: { day: string; median: number | null; count: number }[];
}

export interface DashboardView {
  from: string;
  to: string;
  days: number;
  incidentsOpened: number;
  openedBy: Record<string, number>;
  requestsOpened: number;
  clocks: Record<ClockKind, ClockStats>;
}

/** The service levels over the last `days` days: counts, medians and 90th percentiles, per day for the plots. */
export async function dashboard(deps: ServiceDeps, days: number): Promise<DashboardView> {
  const to = deps.clock.now();
  const from = new Date(to.getTime() - days * 86_400_000);
  const [incidents, requests] = await Promise.all([
    listIncidentsOpenedBetween(deps.db, from.toISOString(), to.toISOString()),
    listRequestsOpenedBetween(deps.db, from.toISOString(), to.toISOString()),
  ]);
  const targets: Record<ClockKind, number> = {
    'first-response': deps.config.sla.firstResponseMs,
    containment: deps.config.sla.containmentMs,
    recovery: deps.config.sla.recoveryMs,
  };
  const samples: Record<ClockKind, { day: string; ms: number | null; openedAt: number }[]> = {
    'first-response': [],
    containment: [],
    recovery: [],
  };
  const took = (openedAt: string, at: string | null) =>
    at ? new Date(at).getTime() - new Date(openedAt).getTime() : null;
  for (const i of incidents) {
    const day = i.created_at.slice(0, 10);
    const openedAt = new Date(i.created_at).getTime();
    // A customer's own click was answered by the containment itself; their requests carry the first-response clock.
    if (i.opened_by !== 'customer-link')
      samples['first-response'].push({ day, ms: took(i.created_at, i.first_response_at), openedAt });
    samples.containment.push({ day, ms: took(i.created_at, i.contained_at), openedAt });
    samples.recovery.push({ day, ms: took(i.created_at, i.recovered_at), openedAt });
  }
  for (const r of requests)
    samples['first-response'].push({
      day: r.created_at.slice(0, 10),
      ms: took(r.created_at, r.first_response_at),
      openedAt: new Date(r.created_at).getTime(),
    });

  const periodDays = daysBetween(from, to);
  const stats = (kind: ClockKind): ClockStats => {
    const done = samples[kind].filter((s): s is { day: string; ms: number; openedAt: number } => s.ms !== null);
    const missed = samples[kind].filter((s) => (s.ms ?? to.getTime() - s.openedAt) > targets[kind]).length;
    return {
      ...summarize(done.map((s) => s.ms)),
      targetMs: targets[kind],
      missed,
      daily: periodDays.map((day) => {
        const onDay = done.filter((s) => s.day === day).map((s) => s.ms);
        return { day, median: summarize(onDay).median, count: onDay.length };
      }),
    };
  };
  const openedBy: Record<string, number> = { 'customer-link': 0, staff: 0, 'risk-engine': 0 };
  for (const i of incidents) openedBy[i.opened_by] = (openedBy[i.opened_by] ?? 0) + 1;
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    days,
    incidentsOpened: incidents.length,
    openedBy,
    requestsOpened: requests.length,
    clocks: {
      'first-response': stats('first-response'),
      containment: stats('containment'),
      recovery: stats('recovery'),
    },
  };
}
