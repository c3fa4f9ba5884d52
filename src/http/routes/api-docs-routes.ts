import type { FastifyInstance } from 'fastify';
import type { ServiceDeps } from '../../services/deps.ts';
import { apiReferencePage } from '../../views/pages/api-reference-page.ts';
import { API_V1 } from '../api-v1.ts';
import { apiDocument } from '../openapi.ts';
import { pageContext, sendHtml } from '../request-context.ts';

/** The API described: OpenAPI 3.1 (generated once from the route schemas) and a reference page. */
export function apiDocsRoutes(deps: ServiceDeps) {
  const document = apiDocument(deps.config.publicUrl);
  return async function apiDocsRoutesPlugin(app: FastifyInstance) {
    app.get(`${API_V1}/openapi.json`, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return document;
    });
    app.get(`${API_V1}/docs`, async (request, reply) =>
      sendHtml(reply, 200, apiReferencePage(pageContext(request, reply, deps.config), document, deps.config.publicUrl)),
    );
  };
}
