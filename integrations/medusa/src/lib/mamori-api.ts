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

    /** Makes sure this store's RFC 8935 push stream points at `endpoint` and asks for every event Mamori sends. */
    async openPushStream(endpoint: string): Promise<void> {
      const discovery = (await (await fetch(`${settings.issuer}/.well-known/ssf-configuration`)).json()) as {
        configuration_endpoint: string;
      };
      const streams = await call<
        {
          stream_id: string;
          delivery: { endpoint_url: string };
          events_supported: string[];
          events_requested: string[];
        }[]
      >(settings, 'GET', discovery.configuration_endpoint);
      const delivery = { method: 'urn:ietf:rfc:8935', endpoint_url: endpoint };
      const [stream] = streams;
      if (!stream) {
        await call(settings, 'POST', discovery.configuration_endpoint, { delivery, description: 'Medusa store' });
        return;
      }
      const missing = stream.events_supported.some((type) => !stream.events_requested.includes(type));
      if (stream.delivery.endpoint_url !== endpoint || missing)
        await call(settings, 'PATCH', discovery.configuration_endpoint, {
          stream_id: stream.stream_id,
          delivery,
          events_requested: stream.events_supported,
        });
    },
  };
}
