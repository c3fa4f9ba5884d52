import type { SecurityNoticeModel } from '../../core/mail-messages.ts';
import { shopNoticeDueAt } from '../../core/shop/notice-pacing.ts';
import type { Executor } from '../../store/database.ts';
import { latestInMailGroup } from '../../store/outbox.ts';
import type { ServiceDeps } from '../deps.ts';
import { queueMail } from './mail-queue.ts';

export const SHOP_CHANGE_NOTICE = 'shop-change-notice';

/**
 * Queues the notice of a change a shop reported, paced per account and address
 * (MAMORI_SHOP_NOTICE_WINDOW_SECONDS, see core/shop/notice-pacing.ts). The worker mails every such
 * notice still queued for the address in one message, each with its own "This wasn't me" link
 * (delivery/mail-groups.ts). The change itself is in the account log already, whatever the pace.
 */
export async function queueShopChangeNotice(
  trx: Executor,
  deps: ServiceDeps,
  mail: { to: string; locale: string; accountId: string; model: SecurityNoticeModel },
): Promise<void> {
  const now = deps.clock.now();
  const windowMs = deps.config.machineLimits.shopNoticeWindowMs;
  const group = { accountId: mail.accountId, recipient: mail.to, template: SHOP_CHANGE_NOTICE };
  const latest =
    windowMs > 0 ? await latestInMailGroup(trx, group, new Date(now.getTime() - windowMs).toISOString()) : undefined;
  const dueAt = shopNoticeDueAt(
    latest && { waiting: latest.status === 'queued', dueAt: latest.next_attempt_at },
    now,
    windowMs,
  );
  await queueMail(trx, deps, {
    to: mail.to,
    locale: mail.locale,
    accountId: mail.accountId,
    message: { template: SHOP_CHANGE_NOTICE, model: mail.model },
    dueAt: dueAt.toISOString(),
  });
}
