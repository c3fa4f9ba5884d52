import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { z } from 'zod';
import { API_V1 } from './api-v1.ts';
import {
  accountsImportReport,
  accountsImportRequest,
  accountParams,
  pollRequest,
  subjectRequest,
  pollResponse,
  problem,
  securityState,
  shopChangeReceipt,
  shopChangeReport,
  undoAnswer,
  undoRequest,
  undoRequestList,
  undoRequestParams,
  undoRequestQuery,
  statusUpdate,
  streamConfiguration,
  streamQuery,
  streamRequest,
  streamStatus,
  streamUpdate,
  verificationRequest,
} from './api-v1-schemas.ts';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const problems = (...statuses: number[]): ZodOpenApiResponsesObject =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: PROBLEM_TEXT[status] ?? 'Refused', content: { 'application/problem+json': { schema: problem } } },
    ]),
  );
const PROBLEM_TEXT: Record<number, string> = {
  400: 'The request is malformed; `detail` names each problem',
  401: 'No valid client-credentials access token',
  403: 'The token lacks the scope, or is not the shop itself',
  404: 'No such stream, account or request for this shop',
  409: 'This shop already has a stream',
  429: "Over the shop's budget of calls a minute (MAMORI_API_REQUESTS_PER_MINUTE); retry after `Retry-After` seconds",
};

/** One operation: its scope is documented as the security requirement it checks. */
function operation(
  scope: string,
  summary: string,
  spec: Omit<ZodOpenApiOperationObject, 'security' | 'summary'>,
): ZodOpenApiOperationObject {
  // Every operation counts against the shop's budget, so every one may answer 429.
  return {
    summary,
    security: [{ clientCredentials: [scope] }],
    ...spec,
    responses: { ...spec.responses, ...problems(429) },
  };
}

/**
 * Mamori's `/api/v1` as OpenAPI 3.1, generated from the zod schemas its routes validate with
 * (api-v1-schemas.ts), so the document cannot drift from what the server accepts.
 */
export function apiDocument(publicUrl: string) {
  const stream = `${API_V1}/ssf/stream`;
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Mamori API',
      version: '1',
      description:
        'For a shop’s backend, calling as itself with a client-credentials access token (`resource=<issuer>/api`). Security events follow OpenID Shared Signals 1.0; discovery is at `/.well-known/ssf-configuration`.',
    },
    servers: [{ url: publicUrl }],
    components: {
      securitySchemes: {
        clientCredentials: {
          type: 'oauth2',
          flows: {
            clientCredentials: {
              tokenUrl: `${publicUrl}/oidc/token`,
              scopes: {
                'account:read': 'Read the security state of the shop’s customers’ accounts',
                'ssf.manage': 'Create, change and delete the shop’s security event stream',
                'ssf.read': 'Read the stream and poll its events',
                'shop-changes:write':
                  'Report what customers did at the shop (orders, redemptions, what checkout saved)',
                'undo-requests:answer': 'Read and answer what containment asked the shop to undo',
                'accounts:import': 'Bring the shop’s customers with their password hashes, in batches',
              },
            },
          },
        },
      },
    },
    paths: {
      [stream]: {
        post: operation('ssf.manage', 'Open the shop’s stream', {
          requestBody: json(streamRequest),
          responses: {
            '201': { description: 'Created', ...json(streamConfiguration) },
            ...problems(400, 401, 403, 409),
          },
        }),
        get: operation('ssf.read', 'Read the stream (one, or the list without `stream_id`)', {
          requestParams: { query: streamQuery },
          responses: {
            '200': {
              description: 'The stream; without `stream_id`, the list of this shop’s streams (one at most)',
              ...json(z.union([streamConfiguration, z.array(streamConfiguration)])),
            },
            ...problems(400, 401, 403, 404),
          },
        }),
        patch: operation('ssf.manage', 'Change what is given', {
          requestBody: json(streamUpdate),
          responses: {
            '200': { description: 'Changed', ...json(streamConfiguration) },
            ...problems(400, 401, 403, 404),
          },
        }),
        put: operation('ssf.manage', 'Replace the configuration (left out means the default)', {
          requestBody: json(streamUpdate),
          responses: {
            '200': { description: 'Replaced', ...json(streamConfiguration) },
            ...problems(400, 401, 403, 404),
          },
        }),
        delete: operation('ssf.manage', 'Delete the stream and its undelivered events', {
          requestParams: { query: streamQuery },
          responses: { '204': { description: 'Deleted' }, ...problems(400, 401, 403, 404) },
        }),
      },
      [`${API_V1}/ssf/status`]: {
        get: operation('ssf.read', 'Read the stream’s status', {
          requestParams: { query: streamQuery },
          responses: { '200': { description: 'Status', ...json(streamStatus) }, ...problems(400, 401, 403, 404) },
        }),
        post: operation('ssf.manage', 'Enable, pause (events wait) or disable (events dropped)', {
          requestBody: json(statusUpdate),
          responses: { '200': { description: 'Status', ...json(streamStatus) }, ...problems(400, 401, 403, 404) },
        }),
      },
      [`${API_V1}/ssf/verify`]: {
        post: operation('ssf.manage', 'Ask for a verification event', {
          requestBody: json(verificationRequest),
          responses: { '204': { description: 'Queued' }, ...problems(400, 401, 403, 404) },
        }),
      },
      [`${API_V1}/ssf/subjects/add`]: {
        post: operation('ssf.manage', 'Put an account back into the stream', {
          description:
            'A partner shop may add only an account that signed in to it; any other is answered 404, as an account that does not exist.',
          requestBody: json(subjectRequest),
          responses: { '200': { description: 'Added' }, ...problems(400, 401, 403, 404) },
        }),
      },
      [`${API_V1}/ssf/subjects/remove`]: {
        post: operation('ssf.manage', 'Take an account out of the stream: no events about it', {
          requestBody: json(subjectRequest),
          responses: { '204': { description: 'Removed' }, ...problems(400, 401, 403, 404) },
        }),
      },
      [`${API_V1}/ssf/poll`]: {
        post: operation('ssf.read', 'Poll SETs (RFC 8936), acknowledging what was received', {
          requestBody: json(pollRequest),
          responses: { '200': { description: 'SETs by jti', ...json(pollResponse) }, ...problems(400, 401, 403, 404) },
        }),
      },
      [`${API_V1}/accounts/{sub}/security`]: {
        get: operation('account:read', 'An account’s security state, before shipping', {
          requestParams: { path: accountParams },
          responses: { '200': { description: 'The state', ...json(securityState) }, ...problems(400, 401, 403, 404) },
        }),
      },
      [`${API_V1}/accounts/{sub}/shop-changes`]: {
        post: operation('shop-changes:write', 'Report what the customer did at the shop', {
          description:
            'The change joins the account log. An order to an address the account never used, from a browser new to it, is announced to the owner with “This wasn’t me”; a saved address, card or subscription always is. If the account is contained, each change since the compromise point is asked back of the shop (`undo-requested`).',
          requestParams: { path: accountParams },
          requestBody: json(shopChangeReport),
          responses: {
            '201': { description: 'Recorded', ...json(shopChangeReceipt) },
            '200': { description: 'Reported before: the first entry', ...json(shopChangeReceipt) },
            ...problems(400, 401, 403, 404),
          },
        }),
      },
      [`${API_V1}/accounts:import`]: {
        post: operation('accounts:import', 'Import a batch of the shop’s customers', {
          description:
            'Idempotent by the shop’s customer id, then the address: a batch sent again imports nothing twice. No mail is sent and no password is re-hashed until its first sign-in. The row schema is also served alone at `/api/v1/import-row.schema.json`.',
          requestBody: json(accountsImportRequest),
          responses: {
            '200': { description: 'What was imported', ...json(accountsImportReport) },
            ...problems(400, 401, 403),
          },
        }),
      },
      [`${API_V1}/undo-requests`]: {
        get: operation('undo-requests:answer', 'What containment asked this shop to undo', {
          requestParams: { query: undoRequestQuery },
          responses: { '200': { description: 'Oldest first', ...json(undoRequestList) }, ...problems(400, 401, 403) },
        }),
      },
      [`${API_V1}/undo-requests/{id}`]: {
        get: operation('undo-requests:answer', 'One request', {
          requestParams: { path: undoRequestParams },
          responses: { '200': { description: 'The request', ...json(undoRequest) }, ...problems(400, 401, 403, 404) },
        }),
        put: operation('undo-requests:answer', 'Answer it: held, cancelled, done, already shipped or refused', {
          description:
            'The owner sees the answer on the incident page, support on the case. An answer may change later.',
          requestParams: { path: undoRequestParams },
          requestBody: json(undoAnswer),
          responses: { '200': { description: 'Answered', ...json(undoRequest) }, ...problems(400, 401, 403, 404) },
        }),
      },
    },
  });
}
