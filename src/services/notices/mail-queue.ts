import type { MailMessage } from '../../core/mail-messages.ts';
import type { Executor } from '../../store/database.ts';
import { insertOutboxRow, MAIL_CHANNEL } from '../../store/outbox.ts';
import type { ServiceDeps } from '../deps.ts';

/** Queues a message in the caller's transaction: the change and its mail commit together or not at all. */
export async function queueMail(
  trx: Executor,
  deps: ServiceDeps,
  mail: { to: string; locale: string; accountId: string | null; message: MailMessage; dueAt?: string },
): Promise<void> {
  await insertOutboxRow(
    trx,
    {
      id: deps.random.id(),
      channel: MAIL_CHANNEL,
      account_id: mail.accountId,
      recipient: mail.to,
      locale: mail.locale,
      template: mail.message.template,
      model: JSON.stringify(mail.message.model),
    },
    deps.clock.now().toISOString(),
    mail.dueAt,
  );
}
