/**
 * Mamori's shop API (`/api/v1`), called as the shop itself with a client-credentials access token that is
 * kept until a minute before it expires. Refusals arrive as RFC 9457 problem details and are thrown as
 * MamoriApiError with the status and Mamori's words.
 */
export interface ShopApiOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The scopes this shop asks for; by default every scope the calls below need. */
  scope?: string;
  now?: () => Date;
}

const DEFAULT_SCOPE = 'account:read shop-changes:write undo-requests:answer ssf.manage ssf.read';

export interface Money {
  /** A decimal amount in the currency's major unit: "5000", "12.50". */
  value: string;
  /** ISO 4217, e.g. "JPY". */
  currency: string;
}

export interface Address {
  recipient?: string;
  line1: string;
  line2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  /** ISO 3166-1 alpha-2, e.g. "JP". */
  country: string;
}

/** The customer's request at the shop; `sid` is the ID token's and names the sign-in. */
export interface Customer {
  ip: string;
  userAgent: string;
  sid?: string;
}

export type ShopChange =
  | {
      type: 'order-placed';
      orderId: string;
      amount: Money;
      shipTo: Address;
      paymentMethod: { reference: string; display?: string };
      /** What was ordered: shown to the owner and support wherever the order appears. */
      items?: { name: string; quantity?: number }[];
    }
  | { type: 'gift-card-redeemed'; giftCardId: string; amount: Money }
  | { type: 'points-redeemed'; redemptionId: string; points: number }
  | { type: 'address-saved'; addressId: string; address: Address }
  | { type: 'payment-method-saved'; paymentMethodId: string; display: string }
  | { type: 'subscription-started'; subscriptionId: string; plan: string };

export interface ChangeReceipt {
  changeId: string;
  repeated: boolean;
  announced: boolean;
}

/** `released`: a held order the owner (or support) said was hers is on its way again. */
export type UndoAnswer = 'held' | 'released' | 'cancelled' | 'done' | 'already-shipped' | 'refused';

export interface UndoRequest {
  id: string;
  sub: string;
  incident: string;
  action:
    | 'hold-order'
    | 'release-order'
    | 'cancel-order'
    | 'reverse-redemption'
    | 'remove-address'
    | 'remove-payment-method'
    | 'cancel-subscription';
  item: { type: string; id: string };
  requestedAt: string;
  /** `release-order` and `cancel-order` follow a `hold-order` request: the owner decided what becomes of the order. */
  follows: string | null;
  answer: UndoAnswer | null;
  note: string | null;
  answeredAt: string | null;
}

export interface SecurityState {
  sub: string;
  status: 'active' | 'locked';
  incident: { state: string; openedAt: string; recoveryOpensAt: string | null } | null;
  holds: { irreversibleActionsUntil: string | null };
  lastContainmentAt: string | null;
}

export class MamoriApiError extends Error {
  override name = 'MamoriApiError';
  constructor(
    readonly status: number,
    readonly problem: { type?: string; title?: string; detail?: string },
  ) {
    super(`${status} ${problem.title ?? ''}${problem.detail ? `: ${problem.detail}` : ''}`.trim());
  }
}

export function shopApi(options: ShopApiOptions) {
  const issuer = options.issuer.replace(/\/+$/, '');
  const now = options.now ?? (() => new Date());
  let cached: { token: string; until: number } | null = null;

  async function accessToken(): Promise<string> {
    if (cached && cached.until > now().getTime()) return cached.token;
    const res = await fetch(`${issuer}/oidc/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: options.scope ?? DEFAULT_SCOPE,
        resource: `${issuer}/api`,
      }),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string };
    if (!res.ok || typeof body.access_token !== 'string')
      throw new MamoriApiError(res.status, { title: body.error ?? 'no access token' });
    cached = { token: body.access_token, until: now().getTime() + Math.max(0, (body.expires_in ?? 60) - 60) * 1000 };
    return body.access_token;
  }

  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const target = new URL(path, `${issuer}/`);
    if (target.origin !== new URL(issuer).origin) throw new Error('only the issuer’s own API is called');
    const res = await fetch(target, {
      method,
      headers: {
        authorization: `Bearer ${await accessToken()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : null;
    if (!res.ok) throw new MamoriApiError(res.status, (parsed ?? {}) as MamoriApiError['problem']);
    return { status: res.status, body: parsed as T };
  }

  const account = (sub: string) => `/api/v1/accounts/${encodeURIComponent(sub)}`;
  return {
    /** Is the account being secured, is anything on hold: ask before shipping to a new address. */
    securityState: async (sub: string) => (await call<SecurityState>('GET', `${account(sub)}/security`)).body,

    /** What the customer did at the shop joins the account log; a retried report finds the first one. */
    reportChange: async (sub: string, change: ShopChange, customer: Customer) =>
      (await call<ChangeReceipt>('POST', `${account(sub)}/shop-changes`, { ...change, customer })).body,

    /** What containment asked this shop to undo: those waiting on an answer, or all. */
    undoRequests: async (which: { status?: 'waiting' | 'all'; limit?: number } = {}) =>
      (
        await call<{ requests: UndoRequest[] }>(
          'GET',
          `/api/v1/undo-requests?${new URLSearchParams({
            status: which.status ?? 'waiting',
            limit: String(which.limit ?? 100),
          }).toString()}`,
        )
      ).body.requests,

    /** Answers one request, by its id or by the `answer_endpoint` its event named. */
    answerUndoRequest: async (request: string, answer: UndoAnswer, note?: string) => {
      const path = request.includes('/') ? request : `/api/v1/undo-requests/${encodeURIComponent(request)}`;
      return (await call<UndoRequest>('PUT', path, { answer, ...(note ? { note } : {}) })).body;
    },

    /**
     * Makes sure this shop's push stream exists, points at `endpoint` and asks for every event Mamori
     * sends (Shared Signals: discovery, then the stream configuration endpoint).
     */
    async openPushStream(endpoint: string, description?: string): Promise<void> {
      const discovery = (await (await fetch(`${issuer}/.well-known/ssf-configuration`)).json()) as {
        configuration_endpoint: string;
      };
      const streams = (
        await call<
          {
            stream_id: string;
            delivery: { endpoint_url: string };
            events_supported: string[];
            events_requested: string[];
          }[]
        >('GET', discovery.configuration_endpoint)
      ).body;
      const delivery = { method: 'urn:ietf:rfc:8935', endpoint_url: endpoint };
      const [stream] = streams;
      if (!stream) {
        await call('POST', discovery.configuration_endpoint, { delivery, ...(description ? { description } : {}) });
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
