import type { OutboxRow } from '../store/outbox.ts';
import type { PostToReceiver, ReceiverAnswer } from './http-post.ts';

/** Where a stream's events go and what they carry, as the services layer resolves them for the worker. */
export interface SecurityEventDelivery {
  /** The stream's push endpoint and the Authorization header it asked for; null once it stops pushing. */
  target(streamId: string): Promise<{ endpoint: string; authorization: string | null } | null>;
  /** The signed SET for a queued event. */
  token(jti: string, model: string | null): Promise<string>;
  /** After each attempt: a delivery clears a failing stream; the last failed attempt marks it failing. */
  settled(streamId: string, outcome: 'delivered' | 'retrying' | 'abandoned'): Promise<void>;
}

/** RFC 8935 §2.3–2.4: a receiver that failed says why in `{err, description}`; kept short for the record. */
function receiverError(response: ReceiverAnswer): string {
  try {
    const body = JSON.parse(response.text) as { err?: unknown; description?: unknown };
    if (typeof body.err === 'string')
      return `${body.err}${typeof body.description === 'string' ? `: ${body.description.slice(0, 200)}` : ''}`;
  } catch {
    // not JSON: the status says enough
  }
  return 'no RFC 8935 error body';
}

/**
 * RFC 8935 push: the SET POSTed as `application/secevent+jwt`; 202 means the receiver has it. Anything
 * else (a redirect included) is a failed attempt, retried by the worker with the same `jti`.
 */
export async function pushSecurityEvent(
  row: OutboxRow,
  delivery: SecurityEventDelivery,
  postToReceiver: PostToReceiver,
): Promise<{ summary: string; answer: string }> {
  const target = await delivery.target(row.recipient);
  if (!target) throw new Error('the stream no longer pushes events');
  const response = await postToReceiver(
    target.endpoint,
    {
      'content-type': 'application/secevent+jwt',
      accept: 'application/json',
      ...(target.authorization ? { authorization: target.authorization } : {}),
    },
    await delivery.token(row.id, row.model),
  );
  if (response.status !== 202) {
    const why = response.status === 400 ? ` (${receiverError(response)})` : '';
    throw new Error(`the receiver answered HTTP ${response.status}${why}`);
  }
  return { summary: `security event ${row.template} for stream ${row.recipient}`, answer: 'HTTP 202' };
}
