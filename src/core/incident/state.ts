/**
 * The incident flow as a persisted state machine. The transitions are this one table; `state.md`
 * beside it draws them. Anything not in the table is refused.
 */
export const INCIDENT_STATES = [
  'reported',
  'contained',
  'waiting',
  'disputed',
  'recovery-open',
  'recovered',
  'closed',
  'dismissed',
] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const INCIDENT_EVENTS = [
  'contain',
  'start-wait',
  'refer',
  'object',
  'wait-elapsed',
  'resolve-for-owner',
  'resolve-against-owner',
  'prove-owner',
  'recover',
  'close',
  'dismiss',
] as const;
export type IncidentEvent = (typeof INCIDENT_EVENTS)[number];

export const TRANSITIONS: Readonly<Record<IncidentState, Partial<Record<IncidentEvent, IncidentState>>>> = {
  reported: { contain: 'contained', dismiss: 'dismissed' },
  // A report that may not be the owner's goes to a person at once: no wait runs out for it.
  contained: { 'start-wait': 'waiting', refer: 'disputed' },
  // A factor the owner held before the compromise point settles who she is: no wait, no person needed.
  waiting: { object: 'disputed', 'wait-elapsed': 'recovery-open', 'prove-owner': 'recovery-open' },
  disputed: {
    'resolve-for-owner': 'recovery-open',
    'resolve-against-owner': 'dismissed',
    'prove-owner': 'recovery-open',
  },
  'recovery-open': { recover: 'recovered' },
  recovered: { close: 'closed' },
  closed: {},
  dismissed: {},
};

export class IllegalTransition extends Error {
  constructor(
    readonly from: IncidentState,
    readonly event: IncidentEvent,
  ) {
    super(`incident cannot ${event} from ${from}`);
    this.name = 'IllegalTransition';
  }
}

export function nextState(from: IncidentState, event: IncidentEvent): IncidentState {
  const to = TRANSITIONS[from][event];
  if (!to) throw new IllegalTransition(from, event);
  return to;
}

export function canTransition(from: IncidentState, event: IncidentEvent): boolean {
  return TRANSITIONS[from][event] !== undefined;
}

/**
 * What the state is at `now` when only time has moved: a wait that has run out is recovery-open even
 * before the worker has written it. Read paths use this so a page never shows a stale countdown.
 */
export function effectiveState(state: IncidentState, waitUntil: Date | null, now: Date): IncidentState {
  if (state === 'waiting' && waitUntil && now.getTime() >= waitUntil.getTime()) return 'recovery-open';
  return state;
}

export function isOpen(state: IncidentState): boolean {
  return state !== 'closed' && state !== 'dismissed';
}
