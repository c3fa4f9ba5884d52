import { findDevMail, listDevMail } from '../../store/outbox.ts';
import type { ServiceDeps } from '../deps.ts';

export interface DevMail {
  id: string;
  recipient: string;
  subject: string;
  textBody: string;
  receivedAt: string;
}

const toDevMail = (row: {
  id: string;
  recipient: string;
  subject: string;
  text_body: string;
  received_at: string;
}): DevMail => ({
  id: row.id,
  recipient: row.recipient,
  subject: row.subject,
  textBody: row.text_body,
  receivedAt: row.received_at,
});

/** The development mailbox (embedded default only): the newest messages first. */
export async function listDevMailbox(deps: ServiceDeps, limit: number): Promise<DevMail[]> {
  return (await listDevMail(deps.db, limit)).map(toDevMail);
}

export async function findDevMailboxMessage(deps: ServiceDeps, id: string): Promise<DevMail | undefined> {
  const row = await findDevMail(deps.db, id);
  return row ? toDevMail(row) : undefined;
}
