import { addMs } from '../clock.ts';

/** The account's latest shop-change notice to the same address within the window, as the outbox holds it. */
export interface EarlierShopNotice {
  /** Still queued: not yet taken by a worker, so a notice queued now can go in the same mail. */
  waiting: boolean;
  dueAt: string;
}

/**
 * When a notice caused by a shop's report is due (issue 24 §4): a shop, or an intruder at its checkout,
 * must not be able to flood the owner's inbox, and the first change must still be heard at once.
 * - nothing mailed to this address about a shop change within the window: due now;
 * - one still waiting: due with it, so the worker mails both in one message;
 * - one already taken (mailed, or being mailed): due a window from now, so one address gets at most one
 *   such mail a window, and the next one lists everything the window brought.
 */
export function shopNoticeDueAt(earlier: EarlierShopNotice | undefined, now: Date, windowMs: number): Date {
  if (!earlier) return now;
  if (earlier.waiting) return new Date(Math.max(now.getTime(), new Date(earlier.dueAt).getTime()));
  return addMs(now, windowMs);
}
