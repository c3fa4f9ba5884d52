import Provider, { errors } from 'oidc-provider';
import type { ServiceDeps } from '../services/deps.ts';
import { checkedFirstFailureBudget } from '../services/rate-limits/failure-budget.ts';
import type { Commit } from '../services/oidc/adapter.ts';
import { clientRow, clientRowWithBudget, type LiveHits, type OidcClientRow } from '../services/oidc/clients.ts';

/** The provider's routes that authenticate the calling client (ctx.oidc.route). */
const AUTHENTICATING_ROUTES = new Set(['token', 'introspection', 'revocation', 'pushed_authorization_request']);

/** A 429 in the OAuth error shape (`error`, `error_description`), as every token endpoint refusal is. */
class ClientAuthThrottled extends errors.OIDCProviderError {
  constructor(retryAfterSeconds: number) {
    super(429, 'temporarily_unavailable');
    this.error_description = `too many failed client authentications, try again in ${retryAfterSeconds} seconds`;
  }
}

/**
 * Client authentication at the token, introspection and revocation endpoints is throttled per client id
 * and per address (issue 24 §4): MAMORI_CLIENT_AUTH_FAILURES wrong secrets in 15 minutes, then every
 * attempt for that client, or from that address, is answered 429 with Retry-After until the window ends.
 * The secret is compared only inside the budget, so while refused even the right secret learns nothing.
 * Counted in the store: every instance shares the budget. The budget is read before the compare and
 * written only for a wrong secret (checkedFirstFailureBudget), so a shop's right secret writes nothing:
 * wrong guesses in flight at once may each pass the check, a few past the limit, which cannot help
 * against a secret of 256 random bits. Hooked where the provider compares a secret, the one step all
 * three endpoints share; the address is the one Fastify judged under MAMORI_TRUST_PROXY (the mount
 * passes it on, see oidc-routes.ts and provider-fast-path.ts). The counts go through the provider's group commit (`commit`); the
 * budget is read in the statement that reads the client (`findClientRow`, for the Client adapter).
 */
export function throttleClientAuthentication(deps: ServiceDeps, commit: Commit) {
  const limits = deps.config.machineLimits;
  const budget = checkedFirstFailureBudget(deps, limits.clientAuthFailures, limits.clientAuthWindowMs, commit);
  const keysOf = (clientId: string, ip: string) => ({
    client: `client-auth:client:${clientId}`,
    ip: `client-auth:ip:${ip}`,
  });
  // Per request: the budget read with the client's row, for the compare that follows it (one client per request).
  type ReadWithClient = { clientId: string; keys: { client: string; ip: string }; live: LiveHits[]; at: Date };
  const readWithClient = new WeakMap<object, ReadWithClient>();
  const attemptOf = async (ctx: object | undefined, clientId: string, ip: string) => {
    const read = ctx ? readWithClient.get(ctx) : undefined;
    if (!read || read.clientId !== clientId) {
      const keys = keysOf(clientId, ip);
      return budget([keys.client, keys.ip]);
    }
    readWithClient.delete(ctx as object);
    return budget.judged([read.keys.client, read.keys.ip], read.live, read.at);
  };
  return {
    /**
     * The client's row for the provider's Client adapter. At an endpoint that authenticates the client,
     * its budget comes in the same statement (one read fewer per token request); anywhere else, the row alone.
     */
    findClientRow: async (clientId: string): Promise<OidcClientRow | undefined> => {
      const ctx = Provider.ctx;
      if (!ctx || !AUTHENTICATING_ROUTES.has(String(ctx.oidc?.route))) return clientRow(deps, clientId);
      const at = deps.clock.now();
      const keys = keysOf(clientId, ctx.ip ?? '');
      const found = await clientRowWithBudget(deps, clientId, keys, at.toISOString());
      if (!found) return undefined;
      readWithClient.set(ctx, { clientId, keys, live: found.live, at });
      return found.row;
    },
    /** Hooked where the provider compares a secret, the one step every client-authenticating endpoint shares. */
    install(provider: Provider): void {
      const compare = provider.Client.prototype.compareClientSecret;
      provider.Client.prototype.compareClientSecret = async function throttledCompare(actual: string) {
        const ctx = Provider.ctx;
        const ip = ctx?.ip ?? '';
        const attempt = await attemptOf(ctx, this.clientId, ip);
        if (attempt.retryAfterMs !== null) {
          const seconds = Math.max(1, Math.ceil(attempt.retryAfterMs / 1000));
          deps.log.warn({ event: 'client_auth_throttled', clientId: this.clientId, ip }, 'client_auth_throttled');
          ctx?.set('retry-after', String(seconds));
          throw new ClientAuthThrottled(seconds);
        }
        const matches = await compare.call(this, actual);
        if (!matches) {
          deps.log.warn({ event: 'client_auth_fail', clientId: this.clientId, ip }, 'client_auth_fail');
          await attempt.failed();
        }
        return matches;
      };
    },
  };
}
