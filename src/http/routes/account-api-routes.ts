import type { FastifyInstance } from 'fastify';
import type { ServiceDeps } from '../../services/deps.ts';
import { securityStateFor } from '../../services/oidc/security-state.ts';
import { reportShopChange } from '../../services/shop-changes/report.ts';
import { answerUndoRequest, listUndoRequests, readUndoRequest } from '../../services/shop-changes/undo-requests.ts';
import { API_V1, parsed, problemDetails, type ApiCallerCheck } from '../api-v1.ts';
import { accountParams, shopChangeReport, undoAnswer, undoRequestParams, undoRequestQuery } from '../api-v1-schemas.ts';

/**
 * Shops about their customers' accounts, as themselves (client-credentials): asking for the security
 * state (`account:read`), reporting what the customer did at the shop (`shop-changes:write`), and answering
 * what containment asked the shop to undo (`undo-requests:answer`).
 */
export function accountApiRoutes(deps: ServiceDeps, caller: ApiCallerCheck) {
  return async function accountApiRoutesPlugin(app: FastifyInstance) {
    await app.register(async (api) => {
      problemDetails(api, deps);
      // A checkout asks before it ships to a new address: is the account being secured, is anything on hold.
      api.get(`${API_V1}/accounts/:sub/security`, async (request) => {
        const who = await caller(request, 'account:read');
        return securityStateFor(deps, who.clientId, parsed(accountParams, request.params).sub);
      });

      api.post(`${API_V1}/accounts/:sub/shop-changes`, async (request, reply) => {
        const who = await caller(request, 'shop-changes:write');
        const { sub } = parsed(accountParams, request.params);
        const { customer, ...change } = parsed(shopChangeReport, request.body);
        const receipt = await reportShopChange(deps, who.clientId, sub, change, customer);
        return reply.code(receipt.repeated ? 200 : 201).send(receipt);
      });

      api.get(`${API_V1}/undo-requests`, async (request) => {
        const who = await caller(request, 'undo-requests:answer');
        const query = parsed(undoRequestQuery, request.query);
        return { requests: await listUndoRequests(deps, who.clientId, query.status ?? 'waiting', query.limit ?? 100) };
      });
      api.get(`${API_V1}/undo-requests/:id`, async (request) => {
        const who = await caller(request, 'undo-requests:answer');
        return readUndoRequest(deps, who.clientId, parsed(undoRequestParams, request.params).id);
      });
      api.put(`${API_V1}/undo-requests/:id`, async (request) => {
        const who = await caller(request, 'undo-requests:answer');
        const { id } = parsed(undoRequestParams, request.params);
        return answerUndoRequest(deps, who.clientId, id, parsed(undoAnswer, request.body));
      });
    });
  };
}
