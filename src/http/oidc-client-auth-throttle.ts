import Provider, { errors } from 'oidc-provider';
import type { ServiceDeps } from '../services/deps.ts';
import { checkedFirstFailureBudget } from '../services/rate-limits/failure-budget.ts';
import type { Commit } from '../services/oidc/adapter.ts';

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
 * written only for a wrong secret (checkedFirstFailureBudget), so a shop's right secret costs one read:
 * wrong guesses in flight at once may each pass the check, a few past the limit, which cannot help
 * against a secret of 256 random bits. Hooked where the provider compares a secret, the one step all
 * three endpoints share; the address is the one Fastify judged under MAMORI_TRUST_PROXY (the mount
 * passes it on, see oidc-routes.ts). The counts go through the provider's group commit (`commit`).
 */
export function throttleClientAuthentication(provider: Provider, deps: ServiceDeps, commit: Commit): void {
  const limits = deps.config.machineLimits;
  const budget = checkedFirstFailureBudget(deps, limits.clientAuthFailures, limits.clientAuthWindowMs, commit);
  const compare = provider.Client.prototype.compareClientSecret;
  provider.Client.prototype.compareClientSecret = async function throttledCompare(actual: string) {
    const ctx = Provider.ctx;
    const ip = ctx?.ip ?? '';
    const attempt = await budget([`client-auth:client:${this.clientId}`, `client-auth:ip:${ip}`]);
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
}
