import { DomainError } from '../../core/errors.ts';
import { couldBeIssuedId } from '../../core/oidc/lookup-keys.ts';
import { POLL_DELIVERY } from '../../core/ssf/security-events.ts';
import { listPollableEvents, settlePolledEvents } from '../../store/ssf-streams.ts';
import type { ServiceDeps } from '../deps.ts';
import { streamOf } from './streams.ts';

export interface PollRequest {
  maxEvents?: number;
  returnImmediately?: boolean;
  ack?: string[];
  setErrs?: Record<string, { err: string; description: string }>;
}

const DEFAULT_MAX_EVENTS = 100;

/**
 * RFC 8936 poll delivery: first settles what the receiver acknowledged (or reported in error), then
 * answers the stream's next SETs, oldest first, each kept until acknowledged. The answer is always
 * immediate (RFC 8936 §2.4 lets a transmitter answer at once even when `returnImmediately` is false).
 */
export async function pollEvents(
  deps: ServiceDeps,
  clientId: string,
  request: PollRequest,
  signEvent: (jti: string, model: string | null) => Promise<string>,
): Promise<{ sets: Record<string, string>; moreAvailable: boolean }> {
  const stream = await streamOf(deps, clientId);
  if (stream.delivery_method !== POLL_DELIVERY)
    throw new DomainError('INVALID_INPUT', { reason: 'this stream pushes its events; it is not polled' });
  // A Map, not an object: a jti such as `valueOf` or `__proto__` is only a string here.
  const errors = new Map(Object.entries(request.setErrs ?? {}).map(([jti, e]) => [jti, `${e.err}: ${e.description}`]));
  await settlePolledEvents(
    deps.db,
    stream.id,
    [...(request.ack ?? []), ...errors.keys()].filter(couldBeIssuedId),
    deps.clock.now().toISOString(),
    errors,
  );
  const max = request.maxEvents ?? DEFAULT_MAX_EVENTS;
  const rows = await listPollableEvents(deps.db, stream.id, max + 1);
  const sets: Record<string, string> = {};
  for (const row of rows.slice(0, max)) sets[row.id] = await signEvent(row.id, row.model);
  return { sets, moreAvailable: rows.length > max };
}
