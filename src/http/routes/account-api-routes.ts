import type { FastifyInstance } from 'fastify';
import type { ServiceDeps } from '../../services/deps.ts';
import { securityStateFor } from '../../services/oidc/security-state.ts';
import { API_V1, parsed, problemDetails, type ApiCallerCheck } from '../api-v1.ts';
import { accountParams } from '../api-v1-schemas.ts';

/** Shops asking about their customers' accounts, as themselves (client-credentials, `account:read`). */
export function accountApiRoutes(deps: ServiceDeps, caller: ApiCallerCheck) {
  return async function accountApiRoutesPlugin(app: FastifyInstance) {
    await app.register(async (api) => {
      problemDetails(api, deps);
      // A checkout asks before it ships to a new address: is the account being secured, is anything on hold.
      api.get(`${API_V1}/accounts/:sub/security`, async (request) => {
        const who = await caller(request, 'account:read');
        return securityStateFor(deps, who.clientId, parsed(accountParams, request.params).sub);
      });
    });
  };
}
