import { DomainError } from '../../core/errors.ts';
import { clientUriProblem } from '../../core/oidc/client-uris.ts';
import { couldBeIssuedId } from '../../core/oidc/lookup-keys.ts';
import { receiverUrlRefusal } from '../../platform/receiver-policy.ts';
import { deliverableEvents, POLL_DELIVERY, PUSH_DELIVERY } from '../../core/ssf/security-events.ts';
import {
  deleteSsfStream,
  dropWaitingStreamEvents,
  findSsfStream,
  findSsfStreamOfClient,
  insertSsfStream,
  moveWaitingStreamEvents,
  setStreamEventsWaiting,
  updateSsfStream,
  type SsfStreamRow,
} from '../../store/ssf-streams.ts';
import { findOidcClient } from '../../store/oidc-clients.ts';
import type { ServiceDeps } from '../deps.ts';
import { queueSecurityEvents } from './security-events.ts';

export type StreamStatus = 'enabled' | 'paused' | 'disabled';

/** What a receiver asks for when it creates or changes its stream (SSF 1.0 §8.1.1). */
export interface StreamRequest {
  delivery?: { method: string; endpoint_url?: string; authorization_header?: string };
  events_requested?: string[];
  description?: string;
}

/** The stream as SSF describes it to its receiver; the push Authorization header is never read back. */
export interface StreamConfiguration {
  stream_id: string;
  iss: string;
  aud: string;
  delivery: { method: string; endpoint_url: string };
  events_supported: string[];
  events_requested: string[];
  events_delivered: string[];
  default_subjects: 'ALL' | 'NONE';
  description?: string;
}

export const authorizationContext = (streamId: string) => `ssf-stream-authorization:${streamId}`;
export const pollEndpoint = (publicUrl: string) => `${publicUrl}/api/v1/ssf/poll`;

/**
 * The stream as its receiver reads it. `default_subjects` says truthfully whom it hears about: ALL for
 * the store's own shops; NONE for a partner, whose subjects are the accounts that signed in to it.
 */
export async function streamConfiguration(
  deps: Pick<ServiceDeps, 'config' | 'db'>,
  row: SsfStreamRow,
): Promise<StreamConfiguration> {
  const firstParty = (await findOidcClient(deps.db, row.client_id))?.first_party === 1;
  const requested = JSON.parse(row.events_requested) as string[];
  const supported = deliverableEvents(deps.config.publicUrl);
  return {
    stream_id: row.id,
    iss: deps.config.publicUrl,
    aud: row.client_id,
    delivery: {
      method: row.delivery_method,
      endpoint_url: row.endpoint_url ?? pollEndpoint(deps.config.publicUrl),
    },
    events_supported: supported,
    events_requested: requested,
    events_delivered: requested.filter((type) => supported.includes(type)),
    default_subjects: firstParty ? 'ALL' : 'NONE',
    ...(row.description ? { description: row.description } : {}),
  };
}

function invalid(reason: string): DomainError {
  return new DomainError('INVALID_INPUT', { reason });
}

/** Push needs the receiver's endpoint (where the receiver policy allows; https in production, except loopback); poll is served here. */
function deliveryColumns(
  deps: Pick<ServiceDeps, 'config' | 'secrets'>,
  streamId: string,
  delivery: NonNullable<StreamRequest['delivery']>,
) {
  if (delivery.method === POLL_DELIVERY) {
    if (delivery.endpoint_url && delivery.endpoint_url !== pollEndpoint(deps.config.publicUrl))
      throw invalid('for poll delivery the endpoint is the transmitter’s; leave endpoint_url out');
    return { delivery_method: POLL_DELIVERY, endpoint_url: null, authorization_sealed: null };
  }
  if (delivery.method !== PUSH_DELIVERY) throw invalid(`delivery method not supported: ${delivery.method}`);
  if (!delivery.endpoint_url) throw invalid('push delivery needs endpoint_url');
  const refusal = receiverUrlRefusal(deps.config.receivers, delivery.endpoint_url);
  if (refusal) throw new DomainError('RECEIVER_NOT_ALLOWED', { reason: `endpoint_url: ${refusal}` });
  const problem = clientUriProblem(delivery.endpoint_url, deps.config.mode === 'production');
  if (problem) throw invalid(problem);
  return {
    delivery_method: PUSH_DELIVERY,
    endpoint_url: delivery.endpoint_url,
    authorization_sealed: delivery.authorization_header
      ? deps.secrets.seal(delivery.authorization_header, authorizationContext(streamId))
      : null,
  };
}

/**
 * The receiver's list is kept as it asked (SSF §8.1.1: `events_requested` is read back as sent); what is
 * delivered is the part of it Mamori sends. None named means all of them.
 */
function requestedEvents(deps: Pick<ServiceDeps, 'config'>, requested: string[] | undefined): string[] {
  return requested === undefined ? deliverableEvents(deps.config.publicUrl) : [...new Set(requested)];
}

export async function createStream(
  deps: ServiceDeps,
  clientId: string,
  request: StreamRequest,
): Promise<StreamConfiguration> {
  if (await findSsfStreamOfClient(deps.db, clientId)) throw new DomainError('STREAM_EXISTS');
  const id = deps.random.id();
  const now = deps.clock.now().toISOString();
  const row: SsfStreamRow = {
    id,
    client_id: clientId,
    ...deliveryColumns(deps, id, request.delivery ?? { method: POLL_DELIVERY }),
    events_requested: JSON.stringify(requestedEvents(deps, request.events_requested)),
    description: request.description ?? null,
    status: 'enabled',
    status_reason: null,
    failing_since: null,
    created_at: now,
    updated_at: now,
  };
  await insertSsfStream(deps.db, row).catch(async (error: unknown) => {
    // Two creations racing: the unique client_id lets one win.
    if (await findSsfStreamOfClient(deps.db, clientId)) throw new DomainError('STREAM_EXISTS');
    throw error;
  });
  return streamConfiguration(deps, row);
}

/** The receiver's own stream; another receiver's stream id is as unknown as a made-up one. */
export async function streamOf(deps: Pick<ServiceDeps, 'db'>, clientId: string, streamId?: string) {
  if (streamId !== undefined && !couldBeIssuedId(streamId)) throw new DomainError('NOT_FOUND');
  const row = streamId ? await findSsfStream(deps.db, streamId) : await findSsfStreamOfClient(deps.db, clientId);
  if (!row || row.client_id !== clientId) throw new DomainError('NOT_FOUND');
  return row;
}

/** Every stream of a receiver (SSF lets a receiver have several; Mamori keeps one per shop). */
export async function streamsOf(deps: Pick<ServiceDeps, 'db'>, clientId: string): Promise<SsfStreamRow[]> {
  const row = await findSsfStreamOfClient(deps.db, clientId);
  return row ? [row] : [];
}

/** PATCH changes what is given; PUT (`replace`) sets everything, leaving out meaning the default. */
export async function updateStream(
  deps: ServiceDeps,
  clientId: string,
  streamId: string,
  request: StreamRequest,
  replace: boolean,
): Promise<StreamConfiguration> {
  const row = await streamOf(deps, clientId, streamId);
  const delivery = request.delivery ?? (replace ? { method: POLL_DELIVERY } : undefined);
  const changes = {
    ...(delivery ? deliveryColumns(deps, row.id, delivery) : {}),
    ...(request.events_requested !== undefined || replace
      ? { events_requested: JSON.stringify(requestedEvents(deps, request.events_requested)) }
      : {}),
    ...(request.description !== undefined || replace ? { description: request.description ?? null } : {}),
    updated_at: deps.clock.now().toISOString(),
  };
  const moved = 'delivery_method' in changes && changes.delivery_method !== row.delivery_method;
  await deps.db.transaction().execute(async (trx) => {
    await updateSsfStream(trx, row.id, changes);
    // Nothing waiting is stranded by the switch: it goes out the new way, in the order it was queued.
    if (moved)
      await moveWaitingStreamEvents(
        trx,
        row.id,
        changes.delivery_method === POLL_DELIVERY ? 'awaiting-poll' : 'queued',
        changes.updated_at,
      );
  });
  if (moved) deps.mailQueued();
  return streamConfiguration(deps, { ...row, ...changes });
}

export async function deleteStream(deps: ServiceDeps, clientId: string, streamId: string): Promise<void> {
  const row = await streamOf(deps, clientId, streamId);
  await deps.db.transaction().execute((trx) => deleteSsfStream(trx, row.id));
}

export function streamStatus(row: SsfStreamRow) {
  return { stream_id: row.id, status: row.status, ...(row.status_reason ? { reason: row.status_reason } : {}) };
}

/**
 * Enabled delivers, paused keeps the events for later, disabled drops what is waiting and queues nothing
 * (SSF 1.0 §8.1.2). Enabling a paused stream makes what it kept due at once.
 */
export async function changeStreamStatus(
  deps: ServiceDeps,
  clientId: string,
  streamId: string,
  status: StreamStatus,
  reason: string | undefined,
) {
  const row = await streamOf(deps, clientId, streamId);
  const now = deps.clock.now().toISOString();
  await deps.db.transaction().execute(async (trx) => {
    await updateSsfStream(trx, row.id, { status, status_reason: reason ?? null, updated_at: now });
    if (status === 'disabled') await dropWaitingStreamEvents(trx, row.id);
    else
      await setStreamEventsWaiting(
        trx,
        row.id,
        status === 'paused',
        now,
        row.delivery_method === POLL_DELIVERY ? 'awaiting-poll' : 'queued',
      );
  });
  if (status === 'enabled') deps.mailQueued();
  return streamStatus({ ...row, status, status_reason: reason ?? null });
}

/** SSF 1.0 §8.1.4: a verification event to the stream, echoing the receiver's `state`. */
export async function requestVerification(deps: ServiceDeps, clientId: string, streamId: string, state?: string) {
  const row = await streamOf(deps, clientId, streamId);
  if (row.status === 'disabled') throw new DomainError('INVALID_INPUT', { reason: 'the stream is disabled' });
  await deps.db
    .transaction()
    .execute((trx) => queueSecurityEvents(trx, deps, [{ event: { name: 'verification', streamId: row.id, state } }]));
  deps.mailQueued();
}

/** What the outbox worker needs to push a stream's events, and what it reports back. */
export function securityEventTargets(deps: Pick<ServiceDeps, 'db' | 'secrets' | 'clock'>) {
  return {
    async target(streamId: string) {
      const row = await findSsfStream(deps.db, streamId);
      if (!row || row.delivery_method !== PUSH_DELIVERY || !row.endpoint_url) return null;
      return {
        endpoint: row.endpoint_url,
        authorization: row.authorization_sealed
          ? deps.secrets.open(row.authorization_sealed, authorizationContext(row.id))
          : null,
      };
    },
    async settled(streamId: string, outcome: 'delivered' | 'retrying' | 'abandoned') {
      if (outcome === 'retrying') return;
      const row = await findSsfStream(deps.db, streamId);
      if (!row) return;
      if (outcome === 'delivered' && row.failing_since)
        await updateSsfStream(deps.db, streamId, { failing_since: null });
      if (outcome === 'abandoned' && !row.failing_since)
        await updateSsfStream(deps.db, streamId, { failing_since: deps.clock.now().toISOString() });
    },
  };
}
