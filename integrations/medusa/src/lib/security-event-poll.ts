import type { Logger, MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { mamoriApi } from './mamori-api';
import { TokenRefused } from './mamori-tokens';
import { receiveSecurityEvent } from './security-events';
import type { MamoriSettings } from './settings';

const BATCH = 100;
const MAX_ROUNDS = 20;

export interface PollOutcome {
  /** SETs carried out now. */
  applied: number;
  /** SETs acknowledged: carried out now or before (pushed, or polled before an acknowledgement was lost). */
  acknowledged: number;
  /** SETs that did not verify: never carried out, never acknowledged. */
  refused: number;
}

interface Round {
  applied: number;
  refused: number;
  /** The verified `jti`s, to acknowledge. */
  ack: string[];
}

/**
 * The SETs of one answer, in Mamori's order (oldest first). One that does not verify is skipped and left
 * unacknowledged: whoever put it there cannot make this store act, and a genuine one comes again. One
 * that fails to be carried out stops the round, so what follows it is not carried out before it.
 */
async function applyAnswer(container: MedusaContainer, settings: MamoriSettings, sets: Record<string, unknown>) {
  const round: Round = { applied: 0, refused: 0, ack: [] };
  for (const [key, token] of Object.entries(sets)) {
    try {
      const { event, acted } = await receiveSecurityEvent(container, settings, typeof token === 'string' ? token : '');
      round.ack.push(event.jti);
      if (acted) round.applied += 1;
    } catch (error) {
      if (!(error instanceof TokenRefused)) return { round, failure: error };
      round.refused += 1;
      container
        .resolve<Logger>(ContainerRegistrationKeys.LOGGER)
        .warn(`mamori: a polled SET (${JSON.stringify(key.slice(0, 100))}) was refused: ${error.message}`);
    }
  }
  return { round, failure: undefined };
}

/**
 * RFC 8936 poll delivery of this store's Shared Signals stream, for a store Mamori cannot push to: asks
 * for the waiting SETs, carries each out exactly as the push receiver does, and acknowledges a SET only
 * once it is carried out (in the next request, or a last one asking for none); goes on while Mamori
 * says more are available and the last answer moved.
 */
async function pollOnce(container: MedusaContainer, settings: MamoriSettings): Promise<PollOutcome> {
  const total: PollOutcome = { applied: 0, acknowledged: 0, refused: 0 };
  if (settings.events.delivery !== 'poll') return total;
  const api = mamoriApi(settings);
  const endpoint = (await api.openStream(settings.events)).delivery.endpoint_url;
  let ack: string[] = [];
  try {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const answer = await api.poll(endpoint, { ack, maxEvents: BATCH });
      const { round: done, failure } = await applyAnswer(container, settings, answer.sets ?? {});
      ack = done.ack;
      total.applied += done.applied;
      total.acknowledged += ack.length;
      total.refused += done.refused;
      if (failure !== undefined) throw failure;
      if (!answer.moreAvailable || ack.length === 0) break;
    }
  } finally {
    if (ack.length > 0) await api.poll(endpoint, { ack, maxEvents: 0 });
  }
  return total;
}

let running: Promise<unknown> = Promise.resolve();

/** One poll at a time in this process (the job and staff's "now"), so no SET is carried out by two at once. */
export function pollSecurityEvents(container: MedusaContainer, settings: MamoriSettings): Promise<PollOutcome> {
  const next = running.then(() => pollOnce(container, settings));
  running = next.catch(() => undefined);
  return next;
}
