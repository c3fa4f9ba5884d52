import type { MamoriSettings } from './settings';

/**
 * Mamori's shop API (`/api/v1`), called as this store with a client-credentials token kept until a
 * minute before it expires. Only the issuer's own origin is ever called.
 */
export type UndoAnswer = 'held' | 'released' | 'cancelled' | 'done' | 'already-shipped' | 'refused';

export interface OrderReport {
  orderId: string;
  amount: { value: string; currency: string };
  shipTo: {
    recipient?: string;
    line1: string;
    line2?: string;
    city?: string;
    region?: string;
    postalCode?: string;
    country: string;
  };
  paymentMethod: { reference: string; display?: string };
  items?: { name: string; quantity?: number }[];
}

export interface CustomerContext {
  ip: string;
  userAgent: string;
  sid?: string;
}

export class MamoriApiError extends Error {
  override name = 'MamoriApiError';
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`Mamori answered ${status}${detail ? `: ${detail}` : ''}`);
  }
}

export const PUSH_DELIVERY = 'urn:ietf:rfc:8935';
export const POLL_DELIVERY = 'urn:ietf:rfc:8936';

/** This store's stream as Mamori describes it (SSF 1.0 §8.1.1). */
export interface StreamConfiguration {
  stream_id: string;
  delivery: { method: string; endpoint_url: string };
  events_supported: string[];
  events_requested: string[];
}

/** RFC 8936 §2.4: the SETs by `jti`, and whether more wait. */
export interface PollAnswer {
  sets?: Record<string, unknown>;
  moreAvailable?: boolean;
}

const SCOPE = 'shop-changes:write undo-requests:answer ssf.manage ssf.read';
const tokens = new Map<string, { token: string; until: number }>();

async function accessToken(settings: MamoriSettings): Promise<string> {
  const cached = tokens.get(settings.clientId);
  if (cached && cached.until > Date.now()) return cached.token;
  const basic = Buffer.from(
    `${encodeURIComponent(settings.clientId)}:${encodeURIComponent(settings.clientSecret)}`,
  ).toString('base64');
  const res = await fetch(`${settings.issuer}/oidc/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: SCOPE, resource: `${settings.issuer}/api` }),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string };
  if (!res.ok || typeof body.access_token !== 'string') throw new MamoriApiError(res.status, body.error ?? 'no token');
  tokens.set(settings.clientId, {
    token: body.access_token,
    until: Date.now() + Math.max(0, (body.expires_in ?? 60) - 60) * 1000,
  });
  return body.access_token;
}

async function call<T>(settings: MamoriSettings, method: string, path: string, body?: unknown): Promise<T> {
  const target = new URL(path, `${settings.issuer}/`);
  if (target.origin !== new URL(settings.issuer).origin) throw new Error('only the issuer’s own API is called');
  const res = await fetch(target, {
    method,
    headers: {
      authorization: `Bearer ${await accessToken(settings)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = (text ? JSON.parse(text) : null) as T & { detail?: string; title?: string };
  if (!res.ok) throw new MamoriApiError(res.status, parsed?.detail ?? parsed?.title ?? '');
  return parsed;
}

export function mamoriApi(settings: MamoriSettings) {
  return {
    reportOrder: (sub: string, order: OrderReport, customer: CustomerContext) =>
      call<{ changeId: string }>(settings, 'POST', `/api/v1/accounts/${encodeURIComponent(sub)}/shop-changes`, {
        type: 'order-placed',
        ...order,
        customer,
      }),

    reportAddress: (sub: string, addressId: string, address: OrderReport['shipTo'], customer: CustomerContext) =>
      call<{ changeId: string }>(settings, 'POST', `/api/v1/accounts/${encodeURIComponent(sub)}/shop-changes`, {
        type: 'address-saved',
        addressId,
        address,
        customer,
      }),

    /** What containment asked of this store and is still waiting on an answer. */
    waitingUndoRequests: async () =>
      (
        await call<{ requests: { id: string; sub: string; action: string; item: { type: string; id: string } }[] }>(
          settings,
          'GET',
          '/api/v1/undo-requests?status=waiting&limit=100',
        )
      ).requests,

    /** Answers one undo request at the `answer_endpoint` its event named. */
    answerUndoRequest: (endpoint: string, answer: UndoAnswer, note?: string) =>
      call(settings, 'PUT', endpoint, { answer, ...(note ? { note } : {}) }),

    /**
     * Makes sure this store's stream delivers the way `events` says (RFC 8935 push to this store's receiver,
     * or RFC 8936 poll) and asks for every event Mamori sends; a stream the operator set up alike is kept.
     */
    async openStream(events: MamoriSettings['events']): Promise<StreamConfiguration> {
      const discovery = (await (await fetch(`${settings.issuer}/.well-known/ssf-configuration`)).json()) as {
        configuration_endpoint: string;
      };
      const streams = await call<StreamConfiguration[]>(settings, 'GET', discovery.configuration_endpoint);
      const delivery =
        events.delivery === 'push'
          ? { method: PUSH_DELIVERY, endpoint_url: events.endpoint }
          : { method: POLL_DELIVERY };
      const [stream] = streams;
      if (!stream)
        return call(settings, 'POST', discovery.configuration_endpoint, { delivery, description: 'Medusa store' });
      const moved =
        stream.delivery.method !== delivery.method ||
        (events.delivery === 'push' && stream.delivery.endpoint_url !== events.endpoint);
      const missing = stream.events_supported.some((type) => !stream.events_requested.includes(type));
      if (!moved && !missing) return stream;
      return call(settings, 'PATCH', discovery.configuration_endpoint, {
        stream_id: stream.stream_id,
        delivery,
        events_requested: stream.events_supported,
      });
    },

    /** One RFC 8936 poll at the stream's endpoint: acknowledges `ack`, answers the next SETs by `jti`. */
    poll: (endpoint: string, request: { ack: string[]; maxEvents: number }) =>
      call<PollAnswer>(settings, 'POST', endpoint, { ...request, returnImmediately: true }),
  };
}
