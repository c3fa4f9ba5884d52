import * as oidc from 'openid-client';

/**
 * The shop's backend talking to Mamori's API as itself: a client-credentials access token (kept until a
 * minute before it expires), its Shared Signals stream, the changes its customers make here, and its
 * answers to what a containment asks it to undo.
 */
const PUSH_DELIVERY = 'urn:ietf:rfc:8935';
const SCOPES = 'ssf.manage ssf.read shop-changes:write undo-requests:answer';

export interface OrderReport {
  sub: string;
  orderId: string;
  amountYen: number;
  address: string;
  card: string;
  customer: { ip: string; userAgent: string; sid: string | null };
}

export type UndoAnswer = 'held' | 'cancelled' | 'done' | 'already-shipped' | 'refused';

export function mamoriApi(config: oidc.Configuration, issuer: string, now: () => Date) {
  let cached: { token: string; until: number } | null = null;
  const token = async (): Promise<string> => {
    if (cached && cached.until > now().getTime()) return cached.token;
    const tokens = await oidc.clientCredentialsGrant(config, { scope: SCOPES, resource: `${issuer}/api` });
    cached = { token: tokens.access_token, until: now().getTime() + ((tokens.expires_in ?? 60) - 60) * 1000 };
    return tokens.access_token;
  };
  const call = async (method: string, target: string | URL, body?: unknown): Promise<unknown> => {
    const res = await fetch(target, {
      method,
      headers: {
        authorization: `Bearer ${await token()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${String(target)}: HTTP ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  };

  return {
    /** Tells Mamori of an order, with the sign-in (`sid`) it was placed under, so it can be held if it was not the owner's. */
    reportOrder: (order: OrderReport) =>
      call('POST', new URL(`/api/v1/accounts/${encodeURIComponent(order.sub)}/shop-changes`, issuer), {
        type: 'order-placed',
        orderId: order.orderId,
        amount: { value: String(order.amountYen), currency: 'JPY' },
        shipTo: { line1: order.address, country: 'JP' },
        paymentMethod: { reference: `saved-card:${order.sub}`, display: order.card },
        customer: {
          ip: order.customer.ip,
          userAgent: order.customer.userAgent,
          ...(order.customer.sid ? { sid: order.customer.sid } : {}),
        },
      }),

    /** Answers one undo request at the endpoint its event named (only ever Mamori's own). */
    answer: (endpoint: string, answer: UndoAnswer, note?: string) => {
      const target = new URL(endpoint);
      if (target.origin !== new URL(issuer).origin) throw new Error('not an endpoint of this issuer');
      return call('PUT', target, { answer, ...(note ? { note } : {}) });
    },

    /**
     * As a Shared Signals receiver would: find the endpoints in Mamori's SSF discovery document, then make
     * sure this shop's push stream exists, points at this shop and asks for every event Mamori sends.
     */
    async openSecurityEventStream(endpoint: string): Promise<void> {
      const discovery = (await (await fetch(new URL('/.well-known/ssf-configuration', issuer))).json()) as {
        configuration_endpoint: string;
      };
      const streams = (await call('GET', discovery.configuration_endpoint)) as {
        stream_id: string;
        delivery: { endpoint_url: string };
        events_supported: string[];
        events_requested: string[];
      }[];
      const delivery = { method: PUSH_DELIVERY, endpoint_url: endpoint };
      const [stream] = streams;
      if (!stream) {
        await call('POST', discovery.configuration_endpoint, { delivery, description: 'Maple Market shop' });
        return;
      }
      const missing = stream.events_supported.some((type) => !stream.events_requested.includes(type));
      if (stream.delivery.endpoint_url !== endpoint || missing)
        await call('PATCH', discovery.configuration_endpoint, {
          stream_id: stream.stream_id,
          delivery,
          events_requested: stream.events_supported,
        });
    },
  };
}
