import nodemailer from 'nodemailer';
import type { Clock, Random } from '../core/clock.ts';
import type { Db } from '../store/database.ts';
import { insertDevMail } from '../store/outbox.ts';

export interface OutgoingMail {
  /** The outbox row id: it becomes the Message-ID, so a receiver can drop a repeated delivery. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export function messageId(id: string, publicUrl: string): string {
  return `<${id}@${new URL(publicUrl).hostname}>`;
}

const SMTP_TIMEOUTS = [
  ['connectionTimeout', 10_000],
  ['greetingTimeout', 10_000],
  ['socketTimeout', 30_000],
] as const;

export function smtpMailer(smtpUrl: string, from: string, publicUrl: string): Mailer {
  // A small pool: the outbox worker sends several messages at once.
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  if (!url.searchParams.has('maxConnections')) url.searchParams.set('maxConnections', '5');
  // Every send ends, delivered or failed, well inside the worker's 60 s claim on the message (nodemailer
  // waits up to 10 minutes by default): a send outliving its claim would be sent again by another instance.
  for (const [option, ms] of SMTP_TIMEOUTS) if (!url.searchParams.has(option)) url.searchParams.set(option, String(ms));
  const transport = nodemailer.createTransport(url.toString());
  return {
    async send(mail) {
      await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: messageId(mail.id, publicUrl),
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    },
    close: () => transport.close(),
  };
}

/** Development only: mail is kept in the store and shown at /dev/mailbox instead of leaving the machine. */
export function devMailboxMailer(db: Db, clock: Clock, random: Random): Mailer {
  return {
    async send(mail) {
      await insertDevMail(db, {
        id: random.id(),
        outbox_id: mail.id,
        recipient: mail.to,
        subject: mail.subject,
        text_body: mail.text,
        html_body: mail.html,
        received_at: clock.now().toISOString(),
      });
    },
    close: () => undefined,
  };
}
