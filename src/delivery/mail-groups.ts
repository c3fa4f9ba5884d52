import type { MailMessage } from '../core/mail-messages.ts';
import type { Executor } from '../store/database.ts';
import { claimRestOfMailGroup, MAIL_CHANNEL, type OutboxRow } from '../store/outbox.ts';

/**
 * Templates whose queued messages about one account to one address go out as one mail, and the template
 * that lists them: the notices of changes shops reported (issue 24 §4), paced when queued
 * (services/notices/shop-notice-queue.ts).
 */
const MAILED_TOGETHER: Record<string, MailMessage['template']> = { 'shop-change-notice': 'shop-change-notices' };

/** The most items one mail lists; the rest go in the next. */
const MOST_IN_ONE_MAIL = 100;

/** Claims what goes in the same mail as `lead` (claimed already): nothing for a message that goes alone. */
export function claimMailedWith(db: Executor, lead: OutboxRow, lockedUntil: string): Promise<OutboxRow[]> {
  if (lead.channel !== MAIL_CHANNEL || !(lead.template in MAILED_TOGETHER) || !lead.account_id)
    return Promise.resolve([]);
  const group = { accountId: lead.account_id, recipient: lead.recipient, template: lead.template };
  return claimRestOfMailGroup(db, group, lead.id, lockedUntil, MOST_IN_ONE_MAIL - 1);
}

/** The mail for one message, or for several mailed together: one list, each item with its own link. */
export function mailMessageOf(rows: readonly [OutboxRow, ...OutboxRow[]]): MailMessage {
  // Listed as they happened, whichever of them was due first.
  const inOrder = [...rows].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  const models = inOrder.map((row) => {
    if (!row.model) throw new Error('message model missing');
    return JSON.parse(row.model) as unknown;
  });
  const [lead] = rows;
  const listing = MAILED_TOGETHER[lead.template];
  // The models were written by the services for their template; the worker only carries them.
  if (rows.length === 1 || !listing) return { template: lead.template, model: models[0] } as MailMessage;
  return { template: listing, model: { notices: models } } as MailMessage;
}
