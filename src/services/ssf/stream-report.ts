import { listOidcClients } from '../../store/oidc-clients.ts';
import { listSsfStreams, streamEventCounts } from '../../store/ssf-streams.ts';
import type { ServiceDeps } from '../deps.ts';

export interface StreamReport {
  streamId: string;
  shop: string;
  method: 'push' | 'poll';
  endpoint: string | null;
  status: string;
  reason: string | null;
  /** Since when an event could not be delivered after every retry; null while deliveries succeed. */
  failingSince: string | null;
  /** Events by delivery status (queued, awaiting-poll, paused, sent, abandoned), and the oldest undelivered. */
  events: Record<string, number>;
  oldestWaiting: string | null;
}

const WAITING = new Set(['queued', 'processing', 'awaiting-poll', 'paused']);

/** `mamori events status` and the support desk: every shop's stream, how its deliveries stand. */
export async function streamReports(deps: Pick<ServiceDeps, 'db'>): Promise<StreamReport[]> {
  const [streams, clients, counts] = await Promise.all([
    listSsfStreams(deps.db),
    listOidcClients(deps.db),
    streamEventCounts(deps.db),
  ]);
  const names = new Map(clients.map((c) => [c.client_id, c.name]));
  return streams.map((stream) => {
    const mine = counts.filter((c) => c.recipient === stream.id);
    const waiting = mine.filter((c) => WAITING.has(c.status) && c.oldest).map((c) => String(c.oldest));
    return {
      streamId: stream.id,
      shop: names.get(stream.client_id) ?? stream.client_id,
      method: stream.endpoint_url ? 'push' : 'poll',
      endpoint: stream.endpoint_url,
      status: stream.status,
      reason: stream.status_reason,
      failingSince: stream.failing_since,
      events: Object.fromEntries(mine.map((c) => [c.status, Number(c.events)])),
      oldestWaiting: waiting.sort()[0] ?? null,
    };
  });
}
