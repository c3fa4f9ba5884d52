import { z } from 'zod';
import {
  eventTypeUri,
  POLL_DELIVERY,
  securityEventClaims,
  type EventToSend,
  type SecurityEvent,
} from '../../core/ssf/security-events.ts';
import { eventForAudience, type StreamAudience } from '../../core/ssf/audience.ts';
import { SHOP_ITEM_TYPES, SHOP_UNDO_ACTIONS } from '../../core/shop/shop-changes.ts';
import type { Executor } from '../../store/database.ts';
import { insertOutboxRow, SSF_CHANNEL } from '../../store/outbox.ts';
import { listReceivingSsfStreams, type ReceivingStream, type SsfStreamRow } from '../../store/ssf-streams.ts';
import type { ServiceDeps } from '../deps.ts';
import type { TokenSigner } from '../oidc/token-signer.ts';

/** What an `ssf` outbox row holds: the event, fixed at commit, and the receiver it is for. */
export interface QueuedEvent {
  event: SecurityEvent;
  audience: string;
  occurredAt: string;
  txn?: string;
}

const accountId = z.string();
const queuedEvent = z.object({
  event: z.discriminatedUnion('name', [
    z.object({ name: z.literal('account-disabled'), accountId, reason: z.literal('hijacking') }),
    z.object({ name: z.literal('account-enabled'), accountId }),
    z.object({ name: z.literal('account-credential-change-required'), accountId }),
    z.object({
      name: z.literal('identifier-changed'),
      accountId,
      oldEmail: z.string().optional(),
      newEmail: z.string().optional(),
    }),
    z.object({ name: z.literal('recovery-information-changed'), accountId }),
    z.object({
      name: z.literal('session-revoked'),
      accountId,
      initiatingEntity: z.enum(['user', 'admin', 'policy', 'system']),
    }),
    z.object({
      name: z.literal('credential-change'),
      accountId,
      credentialType: z.enum(['password', 'app', 'fido2-platform']),
      changeType: z.enum(['create', 'update', 'delete']),
    }),
    z.object({ name: z.literal('verification'), streamId: z.string(), state: z.string().optional() }),
    z.object({
      name: z.literal('undo-requested'),
      accountId,
      clientId: z.string(),
      requestId: z.string(),
      action: z.enum(SHOP_UNDO_ACTIONS),
      item: z.object({ type: z.enum(SHOP_ITEM_TYPES), id: z.string() }),
      follows: z.string().optional(),
    }),
  ]),
  audience: z.string(),
  occurredAt: z.string(),
  txn: z.string().optional(),
});

export function readQueuedEvent(model: string | null): QueuedEvent {
  return queuedEvent.parse(JSON.parse(model ?? 'null'));
}

/**
 * A stream's events go out oldest first, ties broken by id; events queued together (one containment)
 * share a timestamp, so their ids carry this process's running count to keep the order they were queued in.
 */
let queuedCount = 0;
const orderedId = (random: string) => `${String((queuedCount += 1)).padStart(12, '0')}-${random}`;

function wants(stream: SsfStreamRow, event: SecurityEvent, issuer: string): boolean {
  if (event.name === 'verification') return stream.id === event.streamId;
  // An undo request is the business of the shop that reported the change, no other.
  if (event.name === 'undo-requested' && stream.client_id !== event.clientId) return false;
  return (JSON.parse(stream.events_requested) as string[]).includes(eventTypeUri(event.name, issuer));
}

/** Pushed streams' events are due now; polled ones wait to be fetched; a paused stream's wait for it. */
function initialStatus(stream: SsfStreamRow): string {
  if (stream.status === 'paused') return 'paused';
  return stream.delivery_method === POLL_DELIVERY ? 'awaiting-poll' : 'queued';
}

function audienceOf(stream: ReceivingStream): StreamAudience {
  return {
    firstParty: stream.first_party === 1,
    customer: stream.customer_email_granted !== null,
    emailGranted: stream.customer_email_granted === 1,
    removed: stream.removed_at !== null,
  };
}

/**
 * Queues events, in the caller's transaction, for every stream that asked for their type and may hear of
 * the account (core/ssf/audience.ts): the change and the shops' news of it commit together or not at
 * all. The streams, with what each shop is to the account, are read in one statement per account
 * (one for a whole change or containment).
 * Returns how many were queued; the caller asks for a delivery run after the commit.
 */
export async function queueSecurityEvents(
  trx: Executor,
  deps: Pick<ServiceDeps, 'clock' | 'random' | 'config'>,
  events: readonly EventToSend[],
): Promise<number> {
  if (events.length === 0) return 0;
  const now = deps.clock.now().toISOString();
  const streamsOf = new Map<string, ReceivingStream[]>();
  let queued = 0;
  for (const { event, txn } of events) {
    const accountId = 'accountId' in event ? event.accountId : null;
    let streams = streamsOf.get(accountId ?? '');
    if (!streams) {
      streams = await listReceivingSsfStreams(trx, accountId);
      streamsOf.set(accountId ?? '', streams);
    }
    for (const stream of streams) {
      if (!wants(stream, event, deps.config.publicUrl)) continue;
      const told = eventForAudience(event, audienceOf(stream));
      if (!told) continue;
      queued += 1;
      await insertOutboxRow(
        trx,
        {
          id: orderedId(deps.random.id()),
          channel: SSF_CHANNEL,
          account_id: accountId,
          recipient: stream.id,
          locale: '',
          template: told.name,
          model: JSON.stringify({
            event: told,
            audience: stream.client_id,
            occurredAt: now,
            txn,
          } satisfies QueuedEvent),
          status: initialStatus(stream),
        },
        now,
      );
    }
  }
  return queued;
}

/** The SET for a queued event: its `jti` is the outbox row's id, so a receiver drops repeats by id. */
export function securityEventToken(issuer: string, sign: TokenSigner) {
  return (jti: string, model: string | null): Promise<string> => {
    const queued = readQueuedEvent(model);
    return sign(
      securityEventClaims({
        event: queued.event,
        issuer,
        audience: queued.audience,
        jti,
        occurredAtSeconds: Math.floor(new Date(queued.occurredAt).getTime() / 1000),
        txn: queued.txn,
      }),
      'secevent+jwt',
    );
  };
}
