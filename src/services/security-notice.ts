import type { SecurityChangeKind } from '../core/mail-messages.ts';
import type { Executor } from '../store/database.ts';
import type { AccountRow } from '../store/accounts.ts';
import type { RequestOrigin, ServiceDeps } from './deps.ts';
import { describeDevice } from './device.ts';
import { queueMail } from './mail-queue.ts';

/**
 * Tells the person a change could hurt what happened, when and from where. `to` defaults to the
 * account's current address; an email change passes the old one.
 */
export async function queueSecurityNotice(
  trx: Executor,
  deps: ServiceDeps,
  account: Pick<AccountRow, 'id' | 'email' | 'locale'>,
  origin: RequestOrigin,
  change: { kind: SecurityChangeKind; before?: string | null; after?: string | null; to?: string },
): Promise<void> {
  await queueMail(trx, deps, {
    to: change.to ?? account.email,
    locale: account.locale,
    accountId: account.id,
    message: {
      template: 'security-notice',
      model: {
        kind: change.kind,
        occurredAt: deps.clock.now().toISOString(),
        device: describeDevice(origin.userAgent),
        ip: origin.ip,
        before: change.before ?? null,
        after: change.after ?? null,
      },
    },
  });
}
