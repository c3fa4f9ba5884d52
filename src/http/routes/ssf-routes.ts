import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../core/errors.ts';
import { POLL_DELIVERY, PUSH_DELIVERY } from '../../core/ssf/security-events.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { pollEvents } from '../../services/ssf/poll.ts';
import { changeStreamSubject } from '../../services/ssf/subjects.ts';
import {
  changeStreamStatus,
  createStream,
  deleteStream,
  requestVerification,
  streamConfiguration,
  streamOf,
  streamsOf,
  streamStatus,
  updateStream,
} from '../../services/ssf/streams.ts';
import { API_V1, parsed, problemDetails, type ApiCallerCheck } from '../api-v1.ts';
import {
  pollRequest,
  statusUpdate,
  streamQuery,
  streamRequest,
  streamUpdate,
  subjectRequest,
  verificationRequest,
} from '../api-v1-schemas.ts';

export const SSF_BASE = `${API_V1}/ssf`;

/**
 * OpenID Shared Signals 1.0: Mamori as transmitter. The discovery document, and stream management for a
 * shop calling as itself with a client-credentials access token (`ssf.manage` to change, `ssf.read` to
 * read), one stream per shop; errors as RFC 9457 problem details.
 */
export function ssfRoutes(
  deps: ServiceDeps,
  caller: ApiCallerCheck,
  signEvent: (jti: string, model: string | null) => Promise<string>,
) {
  const { config } = deps;

  return async function ssfRoutesPlugin(app: FastifyInstance) {
    app.get('/.well-known/ssf-configuration', async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return {
        spec_version: '1_0',
        issuer: config.publicUrl,
        jwks_uri: `${config.publicUrl}/oidc/jwks`,
        delivery_methods_supported: [PUSH_DELIVERY, POLL_DELIVERY],
        configuration_endpoint: `${config.publicUrl}${SSF_BASE}/stream`,
        status_endpoint: `${config.publicUrl}${SSF_BASE}/status`,
        verification_endpoint: `${config.publicUrl}${SSF_BASE}/verify`,
        add_subject_endpoint: `${config.publicUrl}${SSF_BASE}/subjects/add`,
        remove_subject_endpoint: `${config.publicUrl}${SSF_BASE}/subjects/remove`,
        authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
        // No `default_subjects` here: it depends on the receiver (ALL for the store's own shops, NONE for a
        // partner, whose customers become its subjects as they sign in), and each stream's configuration says which.
      };
    });

    await app.register(async (api) => {
      problemDetails(api, deps);

      api.post(`${SSF_BASE}/stream`, async (request, reply) => {
        const who = await caller(request, 'ssf.manage');
        return reply.code(201).send(await createStream(deps, who.clientId, parsed(streamRequest, request.body)));
      });
      api.get(`${SSF_BASE}/stream`, async (request) => {
        const who = await caller(request, 'ssf.read');
        const { stream_id } = parsed(streamQuery, request.query);
        if (stream_id) return streamConfiguration(deps, await streamOf(deps, who.clientId, stream_id));
        // Without a stream id: every stream of this receiver, as a list (one at most here).
        return Promise.all((await streamsOf(deps, who.clientId)).map((row) => streamConfiguration(deps, row)));
      });
      for (const [method, replace] of [
        ['PATCH', false],
        ['PUT', true],
      ] as const) {
        api.route({
          method,
          url: `${SSF_BASE}/stream`,
          handler: async (request) => {
            const who = await caller(request, 'ssf.manage');
            const { stream_id, ...change } = parsed(streamUpdate, request.body);
            return updateStream(deps, who.clientId, stream_id, change, replace);
          },
        });
      }
      api.delete(`${SSF_BASE}/stream`, async (request, reply) => {
        const who = await caller(request, 'ssf.manage');
        const { stream_id } = parsed(streamQuery, request.query);
        if (!stream_id) throw new DomainError('INVALID_INPUT', { reason: 'stream_id is required' });
        await deleteStream(deps, who.clientId, stream_id);
        return reply.code(204).send();
      });

      api.get(`${SSF_BASE}/status`, async (request) => {
        const who = await caller(request, 'ssf.read');
        return streamStatus(await streamOf(deps, who.clientId, parsed(streamQuery, request.query).stream_id));
      });
      api.post(`${SSF_BASE}/status`, async (request) => {
        const who = await caller(request, 'ssf.manage');
        const input = parsed(statusUpdate, request.body);
        return changeStreamStatus(deps, who.clientId, input.stream_id, input.status, input.reason);
      });
      api.post(`${SSF_BASE}/verify`, async (request, reply) => {
        const who = await caller(request, 'ssf.manage');
        const input = parsed(verificationRequest, request.body);
        await requestVerification(deps, who.clientId, input.stream_id, input.state);
        return reply.code(204).send();
      });
      for (const change of ['add', 'remove'] as const)
        api.post(`${SSF_BASE}/subjects/${change}`, async (request, reply) => {
          const who = await caller(request, 'ssf.manage');
          await changeStreamSubject(deps, who.clientId, parsed(subjectRequest, request.body), change);
          return change === 'add' ? reply.code(200).send() : reply.code(204).send();
        });
      api.post(`${SSF_BASE}/poll`, async (request) => {
        const who = await caller(request, 'ssf.read');
        return pollEvents(deps, who.clientId, parsed(pollRequest, request.body), signEvent);
      });
    });
  };
}
