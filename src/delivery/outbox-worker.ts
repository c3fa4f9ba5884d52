import type { Logger } from 'pino';
import { addMs, HOUR_MS } from '../core/clock.ts';
import type { Clock } from '../core/clock.ts';
import type { MailMessage } from '../core/mail-messages.ts';
import type { Db } from '../store/database.ts';
import { LOGOUT_CHANNEL } from '../core/oidc/logout-token.ts';
import {
  MAIL_CHANNEL,
  SSF_CHANNEL,
  claimOutboxRow,
  insertDeliveryAttempt,
  listDueOutboxIds,
  markOutboxFailed,
  markOutboxSent,
  type OutboxRow,
} from '../store/outbox.ts';
import { sendLogoutToken, type LogoutTokenSigner } from './backchannel-logout.ts';
import { pushSecurityEvent, type SecurityEventDelivery } from './set-push.ts';
import { renderMail, type MailContext } from '../views/emails/render.ts';
import type { Mailer } from './mailer.ts';

export const MAX_ATTEMPTS = 10;
const LOCK_MS = 60_000;
const BATCH = 20;
/** Messages sent at once; the SMTP transport pools its connections to match. */
const CONCURRENCY = 5;

/** 10 s, 20 s, 40 s … capped at one hour: a relay that is down for a while loses nothing. */
export function retryDelayMs(attempts: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, attempts - 1), HOUR_MS);
}

export interface OutboxWorker {
  /** Delivers what is due now; returns how many messages were sent. */
  runOnce(): Promise<number>;
  start(intervalMs: number): void;
  /** Asks for a run soon (after a commit that queued mail). */
  kick(): void;
  stop(): Promise<void>;
}

export function createOutboxWorker(deps: {
  db: Db;
  clock: Clock;
  mailer: Mailer;
  log: Logger;
  mail: MailContext;
  /** Time-driven work that queues mail (incidents whose wait ran out), run before each delivery pass. */
  tick?: () => Promise<unknown>;
  /** Signs the logout tokens queued for shops (OpenID Connect Back-Channel Logout). */
  signLogoutToken?: LogoutTokenSigner;
  /** Resolves and signs the security events pushed to shops' streams (Shared Signals, RFC 8935). */
  securityEvents?: SecurityEventDelivery;
}): OutboxWorker {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let again = false;

  /** Sends one row by its channel; returns what is kept of it and the receiver's answer. */
  async function send(row: OutboxRow): Promise<{ summary: string; answer: string }> {
    if (row.channel === LOGOUT_CHANNEL) {
      if (!deps.signLogoutToken) throw new Error('no logout token signer configured');
      return sendLogoutToken(row, deps.signLogoutToken);
    }
    if (row.channel === SSF_CHANNEL) {
      if (!deps.securityEvents) throw new Error('no security event delivery configured');
      return pushSecurityEvent(row, deps.securityEvents);
    }
    if (!row.model) throw new Error('message model missing');
    const message = { template: row.template, model: JSON.parse(row.model) } as MailMessage;
    const rendered = renderMail(message, row.locale, deps.mail);
    await deps.mailer.send({ id: row.id, to: row.recipient, ...rendered });
    return { summary: rendered.subject, answer: 'accepted' };
  }

  async function recordAttempt(row: OutboxRow, ok: boolean, answer: string): Promise<void> {
    await insertDeliveryAttempt(deps.db, {
      id: `${row.id}:${row.attempts}`,
      outbox_id: row.id,
      attempted_at: deps.clock.now().toISOString(),
      ok: ok ? 1 : 0,
      answer,
    });
  }

  const EVENT_BY_CHANNEL: Record<string, string> = {
    [LOGOUT_CHANNEL]: 'logout_token',
    [SSF_CHANNEL]: 'security_event',
  };

  async function deliver(row: OutboxRow): Promise<boolean> {
    const event = EVENT_BY_CHANNEL[row.channel] ?? 'mail';
    // A mail's model holds single-use links; logout orders and security events hold no secret.
    const eraseModel = row.channel === MAIL_CHANNEL;
    try {
      const { summary, answer } = await send(row);
      await markOutboxSent(deps.db, row.id, summary, deps.clock.now().toISOString(), eraseModel);
      await recordAttempt(row, true, answer);
      if (row.channel === SSF_CHANNEL) await deps.securityEvents?.settled(row.recipient, 'delivered');
      deps.log.info({ outboxId: row.id, template: row.template, attempts: row.attempts, answer }, `${event}_sent`);
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message.slice(0, 300) : 'unknown error';
      const retryAt =
        row.attempts < MAX_ATTEMPTS ? addMs(deps.clock.now(), retryDelayMs(row.attempts)).toISOString() : null;
      await markOutboxFailed(deps.db, row.id, reason, retryAt, eraseModel);
      await recordAttempt(row, false, reason);
      if (row.channel === SSF_CHANNEL)
        await deps.securityEvents?.settled(row.recipient, retryAt ? 'retrying' : 'abandoned');
      deps.log.warn(
        { outboxId: row.id, template: row.template, attempts: row.attempts, retryAt, reason },
        `${event}_failed`,
      );
      return false;
    }
  }

  async function drain(): Promise<number> {
    let sent = 0;
    for (;;) {
      const now = deps.clock.now();
      const due = await listDueOutboxIds(deps.db, now.toISOString(), BATCH);
      if (due.length === 0) return sent;
      const claimed: OutboxRow[] = [];
      for (const { id } of due) {
        const row = await claimOutboxRow(deps.db, id, now.toISOString(), addMs(now, LOCK_MS).toISOString());
        if (row) claimed.push(row);
      }
      for (let i = 0; i < claimed.length; i += CONCURRENCY) {
        const results = await Promise.all(claimed.slice(i, i + CONCURRENCY).map(deliver));
        sent += results.filter(Boolean).length;
      }
      // A stream's next security event becomes due only once the one before it is delivered: look again.
      const streamMoved = claimed.some((row) => row.channel === SSF_CHANNEL);
      if (claimed.length === 0 || (due.length < BATCH && !streamMoved)) return sent;
    }
  }

  async function runOnce(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        await deps.tick?.();
        total += await drain();
      } while (again);
      return total;
    })();
    try {
      return await running;
    } finally {
      running = null;
    }
  }

  const runLogged = () => void runOnce().catch((error: unknown) => deps.log.error({ err: error }, 'outbox_run_failed'));

  return {
    runOnce,
    start(intervalMs) {
      timer ??= setInterval(runLogged, intervalMs);
      timer.unref();
    },
    kick() {
      if (timer) setImmediate(runLogged);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (running) await running.catch(() => 0);
    },
  };
}
