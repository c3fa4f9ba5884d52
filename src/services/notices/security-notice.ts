import { DAY_MS } from '../../core/clock.ts';
import { displayValue } from '../../core/change-display.ts';
import type { ChangeActor, ChangeRecord, CustomerChangeKind, ChangeValue } from '../../core/change-kinds.ts';
import type { Executor } from '../../store/database.ts';
import type { AccountRow } from '../../store/accounts.ts';
import { listChangesOfKindSince, toChangeRecord } from '../../store/account-log.ts';
import { recordChange } from '../account-log/change-log.ts';
import type { ServiceDeps } from '../deps.ts';
import type { SecurityNoticeModel } from '../../core/mail-messages.ts';
import { queueMail } from './mail-queue.ts';
import { queueShopChangeNotice } from './shop-notice-queue.ts';
import { issueLink } from './one-time-links.ts';

export const REPORT_LINK_TTL_MS = 7 * DAY_MS;

/**
 * A sensitive change: written to the account log and announced to the contact it could hurt (the
 * current address, or `notifyTo` — the old one for an email change), with a single-use "This wasn't
 * me" link bound to this change, valid 7 days, usable without signing in.
 */
export async function recordSensitiveChange(
  trx: Executor,
  deps: ServiceDeps,
  account: Pick<AccountRow, 'id' | 'email' | 'locale'>,
  change: {
    kind: CustomerChangeKind;
    actor: ChangeActor;
    subjectId?: string | null;
    before?: ChangeValue | null;
    after?: ChangeValue | null;
    notifyTo?: string;
  },
  /** A change a shop reported: its notice is paced with the account's other shop-change notices. */
  options: { fromShop?: boolean } = {},
): Promise<ChangeRecord> {
  const record = await recordChange(trx, deps, { accountId: account.id, ...change });
  const recipients = new Set([
    change.notifyTo ?? account.email,
    ...(await recentlyReplacedAddresses(trx, deps, account.id)),
  ]);
  for (const to of recipients) {
    // Each recipient gets a link of its own, so one being used does not void the other.
    const reportLink = await issueLink(trx, deps, {
      accountId: account.id,
      purpose: 'report-change',
      payload: { changeId: record.id },
      keepOthers: true,
      recipient: to,
    });
    const model: SecurityNoticeModel = {
      kind: change.kind,
      occurredAt: record.occurredAt,
      device: change.actor.device,
      ip: change.actor.ip,
      area: change.actor.area,
      before: displayValue(change.kind, change.before ?? null, 'owner', account.locale),
      // The address an email is being changed to is masked in every mail: a replaced address may no longer be the owner's.
      after: displayValue(
        change.kind,
        change.after ?? null,
        change.kind === 'email-changed' || change.kind === 'email-change-requested' ? 'other' : 'owner',
        account.locale,
      ),
      reportLink,
    };
    const mail = { to, locale: account.locale, accountId: account.id };
    if (options.fromShop) await queueShopChangeNotice(trx, deps, { ...mail, model });
    else await queueMail(trx, deps, { ...mail, message: { template: 'security-notice', model } });
  }
  return record;
}

/**
 * Addresses the account used until less than 7 days ago keep receiving notices (NIST SP 800-63B-4 §4.6:
 * never notify only the channel a change may have captured; Google honours old recovery info 7 days).
 */
async function recentlyReplacedAddresses(trx: Executor, deps: ServiceDeps, accountId: string): Promise<string[]> {
  const since = new Date(deps.clock.now().getTime() - REPORT_LINK_TTL_MS).toISOString();
  const rows = await listChangesOfKindSince(trx, accountId, 'email-changed', since);
  return rows
    .map((row) => toChangeRecord(row).before?.email)
    .filter((email): email is string => typeof email === 'string');
}
