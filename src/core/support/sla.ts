/**
 * Service-level clocks for the support desk (DESIGN 2 E): time to first response, to containment and to
 * recovery, each running from when the case opened until the thing happened. The queue is ordered by
 * the running clock closest to breaching; a breached clock has negative time left.
 */
export interface SlaTargets {
  firstResponseMs: number;
  containmentMs: number;
  recoveryMs: number;
}

export type ClockKind = 'first-response' | 'containment' | 'recovery';
export type CaseKind = 'incident' | 'message' | 'callback';

export interface CaseTimes {
  kind: CaseKind;
  openedAt: Date;
  firstResponseAt: Date | null;
  /** Incidents only. */
  containedAt: Date | null;
  recoveredAt: Date | null;
  closedAt: Date | null;
  /**
   * An incident the customer opened with "This wasn't me" was answered at once by the containment and
   * its mail; its first-response clock starts only when the customer asks for a person (their message
   * or call-back has its own clock). Incidents opened by support or the risk engine run it.
   */
  selfServed?: boolean;
}

export interface SlaClock {
  kind: ClockKind;
  dueAt: Date;
  /** When the clock stopped (the thing happened, or the case closed); null while it runs. */
  stoppedAt: Date | null;
  /** Time left at `now` (or at the stop); negative once breached. */
  remainingMs: number;
  breached: boolean;
}

function clock(kind: ClockKind, openedAt: Date, targetMs: number, stoppedAt: Date | null, now: Date): SlaClock {
  const dueAt = new Date(openedAt.getTime() + targetMs);
  const at = stoppedAt ?? now;
  const remainingMs = dueAt.getTime() - at.getTime();
  return { kind, dueAt, stoppedAt, remainingMs, breached: remainingMs < 0 };
}

export function caseClocks(times: CaseTimes, targets: SlaTargets, now: Date): SlaClock[] {
  const closed = times.closedAt;
  const clocks = times.selfServed
    ? []
    : [clock('first-response', times.openedAt, targets.firstResponseMs, times.firstResponseAt ?? closed, now)];
  if (times.kind === 'incident') {
    clocks.push(clock('containment', times.openedAt, targets.containmentMs, times.containedAt ?? closed, now));
    clocks.push(clock('recovery', times.openedAt, targets.recoveryMs, times.recoveredAt ?? closed, now));
  }
  return clocks;
}

/** The running clock with the least time left, or null when every clock has stopped. */
export function nextDeadline(clocks: readonly SlaClock[]): SlaClock | null {
  let next: SlaClock | null = null;
  for (const c of clocks) if (c.stoppedAt === null && (next === null || c.remainingMs < next.remainingMs)) next = c;
  return next;
}

/** Queue order: the closest to breaching first (breached ones before them); cases with no running clock last, oldest first. */
export function compareUrgency(
  a: { next: SlaClock | null; openedAt: Date },
  b: { next: SlaClock | null; openedAt: Date },
): number {
  if (a.next && b.next) return a.next.remainingMs - b.next.remainingMs;
  if (a.next) return -1;
  if (b.next) return 1;
  return a.openedAt.getTime() - b.openedAt.getTime();
}
