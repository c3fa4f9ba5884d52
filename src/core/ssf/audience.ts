import type { SecurityEvent } from './security-events.ts';

/** What one stream's shop is to the account an event is about. */
export interface StreamAudience {
  /** The store's own shop: it hears of every account (SSF `default_subjects` ALL). */
  firstParty: boolean;
  /** The account signed in to this shop (a grant exists or existed). */
  customer: boolean;
  /** The account granted this shop the `email` scope. */
  emailGranted: boolean;
  /** The shop took the account out of its stream (SSF remove subject). */
  removed: boolean;
}

/** Whether the shop may hear of the account at all: its own customers, or every account for the store's own shop. */
export function maySee(audience: Pick<StreamAudience, 'firstParty' | 'customer'>): boolean {
  return audience.firstParty || audience.customer;
}

/**
 * What a stream is told of an account's event (issue 24): nothing about an account that never signed in
 * to a partner shop, or that the shop took out of its stream (but for a request to undo what the shop
 * itself reported); and a changed address only to a shop the
 * address was given to (the store's own shops have every address). Without it the shop still hears that
 * the identifier changed, about the account by its `sub`, without the old or new value.
 */
export function eventForAudience(event: SecurityEvent, audience: StreamAudience): SecurityEvent | null {
  if (event.name === 'verification') return event;
  if (!maySee(audience)) return null;
  // A request to hold what the shop itself reported still reaches it: the owner's order must not ship.
  if (audience.removed && event.name !== 'undo-requested') return null;
  if (event.name === 'identifier-changed' && !audience.firstParty && !audience.emailGranted)
    return { name: 'identifier-changed', accountId: event.accountId };
  return event;
}
