import type { Logger } from 'pino';
import { addMs, HOUR_MS } from '../core/clock.ts';
import type { Clock } from '../core/clock.ts';
import type { Db, Executor } from '../store/database.ts';
import { LOGOUT_CHANNEL } from '../core/oidc/logout-token.ts';
import {
  MAIL_CHANNEL,
  SSF_CHANNEL,
  claimOutboxRow,
  insertDeliveryAttempt,
  listDueOutboxIds,
  listStreamBacklog,
  listStreamsWithDueEvents,
  type StreamBacklogRow,
  markOutboxFailed,
  markOutboxSent,
  type OutboxRow,
} from '../store/outbox.ts';
import { sendLogoutToken, type LogoutTokenSigner } from './backchannel-logout.ts';
import type { PostToReceiver } from './http-post.ts';
import { claimMailedWith, mailMessageOf } from './mail-groups.ts';
import { pushSecurityEvent, type SecurityEventDelivery } from './set-push.ts';
import { renderMail, type MailContext } from '../views/emails/render.ts';
import type { Mailer } from './mailer.ts';
import type { Metrics } from '../platform/metrics.ts';

export const MAX_ATTEMPTS = 10;
const LOCK_MS = 60_000;
const BATCH = 20;
/** Events of one stream sent in order in one pass, before mail and logout tokens get their turn again. */
const STREAM_BATCH = 100;
/** Messages sent at once; the SMTP transport pools its connections to match. */
const CONCURRENCY = 5;
/** A stream's subjects sent side by side (each subject's own events still one after another). */
const STREAM_CONCURRENCY = 10;

/** Runs `work` on every item, at most `limit` at once, each slot taking the next item as it frees up. */
async function inTurn<T>(items: readonly T[], limit: number, work: (item: T) => Promise<number>): Promise<number> {
  let next = 0;
  let total = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const done = await work(items[next++] as T);
        total += done; // not `total += await …`: that would add to the total read before the wait
      }
    }),
  );
  return total;
}

/** 10 s, 20 s, 40 s … capped at one hour: a relay that is down for a while loses nothing. */
export function retryDelayMs(attempts: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, attempts - 1), HOUR_MS);
}

/** A claimed row, with any claimed to go in the same mail. */
type Claimed = readonly [OutboxRow, ...OutboxRow[]];

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
  /** Time-driven work that queues mail (incidents whose wait ran out), run once at the start of each run. */
  tick?: () => Promise<unknown>;
  /** Signs the logout tokens queued for shops (OpenID Connect Back-Channel Logout). */
  signLogoutToken?: LogoutTokenSigner;
  /** Resolves and signs the security events pushed to shops' streams (Shared Signals, RFC 8935). */
  securityEvents?: SecurityEventDelivery;
  /** Sends logout tokens and security events to shops, only where the receiver policy allows. */
  postToReceiver?: PostToReceiver;
  metrics?: Pick<Metrics, 'delivery'>;
}): OutboxWorker {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let again = false;

  /** Sends one row by its channel (or mail rows mailed together); returns what is kept of it and the receiver's answer. */
  async function send(rows: Claimed): Promise<{ summary: string; answer: string }> {
    const [row] = rows;
    if (row.channel === LOGOUT_CHANNEL || row.channel === SSF_CHANNEL) {
      if (!deps.postToReceiver) throw new Error('no receiver client configured');
      if (row.channel === SSF_CHANNEL) {
        if (!deps.securityEvents) throw new Error('no security event delivery configured');
        return pushSecurityEvent(row, deps.securityEvents, deps.postToReceiver);
      }
      if (!deps.signLogoutToken) throw new Error('no logout token signer configured');
      return sendLogoutToken(row, deps.signLogoutToken, deps.postToReceiver);
    }
    const rendered = renderMail(mailMessageOf(rows), row.locale, deps.mail);
    await deps.mailer.send({ id: row.id, to: row.recipient, ...rendered });
    return { summary: rendered.subject, answer: 'accepted' };
  }

  async function recordAttempt(db: Executor, row: OutboxRow, ok: boolean, answer: string): Promise<void> {
    await insertDeliveryAttempt(db, {
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

  /** Delivers one row, or rows mailed together (the first one's id names the mail); each row keeps its own record. */
  async function deliver(rows: Claimed): Promise<boolean> {
    const [row] = rows;
    const event = EVENT_BY_CHANNEL[row.channel] ?? 'mail';
    // A mail's model holds single-use links; logout orders and security events hold no secret.
    const eraseModel = row.channel === MAIL_CHANNEL;
    const together = rows.length > 1 ? { together: rows.length } : {};
    try {
      const { summary, answer } = await send(rows);
      // The outcome and its record commit together: one commit per delivery.
      await deps.db.transaction().execute(async (trx) => {
        for (const each of rows) {
          await markOutboxSent(trx, each.id, summary, deps.clock.now().toISOString(), eraseModel);
          await recordAttempt(trx, each, true, answer);
        }
      });
      deps.log.info(
        { outboxId: row.id, template: row.template, attempts: row.attempts, answer, ...together },
        `${event}_sent`,
      );
      deps.metrics?.delivery(row.channel, 'sent');
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message.slice(0, 300) : 'unknown error';
      const retryAtOf = (attempts: number) =>
        attempts < MAX_ATTEMPTS ? addMs(deps.clock.now(), retryDelayMs(attempts)).toISOString() : null;
      const retryAt = retryAtOf(row.attempts);
      await deps.db.transaction().execute(async (trx) => {
        for (const each of rows) {
          await markOutboxFailed(trx, each.id, reason, retryAtOf(each.attempts), eraseModel);
          await recordAttempt(trx, each, false, reason);
        }
      });
      if (row.channel === SSF_CHANNEL)
        await deps.securityEvents?.settled(row.recipient, retryAt ? 'retrying' : 'abandoned');
      deps.metrics?.delivery(row.channel, retryAt ? 'retrying' : 'abandoned');
      deps.log.warn(
        { outboxId: row.id, template: row.template, attempts: row.attempts, retryAt, reason, ...together },
        `${event}_failed`,
      );
      return false;
    }
  }

  /** Mail and logout tokens: a batch at a time, CONCURRENCY sends at once. */
  async function drainMessages(): Promise<number> {
    let sent = 0;
    for (;;) {
      const now = deps.clock.now();
      const due = await listDueOutboxIds(deps.db, now.toISOString(), BATCH);
      if (due.length === 0) return sent;
      const claimed: Claimed[] = [];
      const lockedUntil = addMs(now, LOCK_MS).toISOString();
      // A row already taken into another's mail is not tried again.
      const taken = new Set<string>();
      for (const { id } of due) {
        if (taken.has(id)) continue;
        const row = await claimOutboxRow(deps.db, id, now.toISOString(), lockedUntil);
        if (!row) continue;
        const group: Claimed = [row, ...(await claimMailedWith(deps.db, row, lockedUntil))];
        for (const each of group) taken.add(each.id);
        claimed.push(group);
      }
      sent += await inTurn(claimed, CONCURRENCY, async (rows) => ((await deliver(rows)) ? 1 : 0));
      if (claimed.length === 0 || due.length < BATCH) return sent;
    }
  }

  /** One subject's events on a stream, in order: stops at one not yet due, in flight elsewhere, or failing. */
  async function drainSubject(backlog: StreamBacklogRow[], now: Date): Promise<number> {
    const nowIso = now.toISOString();
    let sent = 0;
    for (const next of backlog) {
      const due = next.status === 'queued' ? next.next_attempt_at <= nowIso : (next.locked_until ?? '') < nowIso;
      if (!due) break;
      const row = await claimOutboxRow(deps.db, next.id, nowIso, addMs(now, LOCK_MS).toISOString());
      if (!row || !(await deliver([row]))) break;
      sent += 1;
    }
    return sent;
  }

  /**
   * A stream's oldest undelivered events, subject by subject (SSF: per subject, in order): each subject's
   * events go one after another, different subjects side by side. A delivery clears a failing stream.
   */
  async function drainStream(streamId: string): Promise<number> {
    const now = deps.clock.now();
    const bySubject = new Map<string, StreamBacklogRow[]>();
    for (const row of await listStreamBacklog(deps.db, streamId, STREAM_BATCH)) {
      const subject = row.account_id ?? '';
      bySubject.set(subject, [...(bySubject.get(subject) ?? []), row]);
    }
    const sent = await inTurn([...bySubject.values()], STREAM_CONCURRENCY, (rows) => drainSubject(rows, now));
    if (sent > 0) await deps.securityEvents?.settled(streamId, 'delivered');
    return sent;
  }

  /** One pass over the streams with an event due, CONCURRENCY side by side, each in its own order. */
  async function drainStreams(): Promise<number> {
    const streams = await listStreamsWithDueEvents(deps.db, deps.clock.now().toISOString(), BATCH);
    return inTurn(streams, CONCURRENCY, drainStream);
  }

  /**
   * Mail and logout tokens, and a pass over the event streams. A pass that moved events asks for another
   * run, so a long backlog of events never keeps mail and logout tokens waiting behind it.
   */
  async function drain(): Promise<number> {
    const [messages, events] = await Promise.all([drainMessages(), drainStreams()]);
    if (events > 0) again = true;
    return messages + events;
  }

  async function runOnce(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      // Time-driven work once a run; what is queued meanwhile (a kick, or a stream with more) loops the drain.
      await deps.tick?.();
      do {
        again = false;
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
