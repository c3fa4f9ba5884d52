/**
 * Where this store's Mamori is and who the store is to it, read once from the environment the
 * medusa-config.ts also reads. `events` is how Mamori's Shared Signals stream reaches this store: pushed
 * to `MEDUSA_BACKEND_URL` (Medusa's address as Mamori reaches it), or, with `MAMORI_SSF_DELIVERY=poll`
 * for a store Mamori cannot reach, polled by a scheduled job.
 */
export interface MamoriSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  events: { delivery: 'push'; endpoint: string } | { delivery: 'poll' };
}

export type EventDelivery = MamoriSettings['events']['delivery'];

const DEFAULT_POLL_SECONDS = 60;

function eventDelivery(env: NodeJS.ProcessEnv): EventDelivery {
  const delivery = env.MAMORI_SSF_DELIVERY || 'push';
  if (delivery !== 'push' && delivery !== 'poll')
    throw new Error(`MAMORI_SSF_DELIVERY is push or poll, not ${delivery} (README.md, section Medusa)`);
  return delivery;
}

export function mamoriSettings(env: NodeJS.ProcessEnv = process.env): MamoriSettings {
  const read = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is required (README.md, section Medusa)`);
    return value;
  };
  return {
    issuer: read('MAMORI_ISSUER').replace(/\/+$/, ''),
    clientId: read('MAMORI_CLIENT_ID'),
    clientSecret: read('MAMORI_CLIENT_SECRET'),
    events:
      eventDelivery(env) === 'poll'
        ? { delivery: 'poll' }
        : { delivery: 'push', endpoint: `${read('MEDUSA_BACKEND_URL').replace(/\/+$/, '')}/mamori/security-events` },
  };
}

/** How often the poll job asks Mamori for events (`MAMORI_SSF_POLL_SECONDS`, a minute unless set). */
export function pollIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.MAMORI_SSF_POLL_SECONDS || DEFAULT_POLL_SECONDS);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600)
    throw new Error('MAMORI_SSF_POLL_SECONDS is a whole number of seconds from 1 to 3600');
  return seconds * 1000;
}
