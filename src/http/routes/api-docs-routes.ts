import type { FastifyInstance } from 'fastify';
import type { ServiceDeps } from '../../services/deps.ts';
import { apiReferencePage } from '../../views/pages/api-reference-page.ts';
import { API_V1 } from '../api-v1.ts';
import { apiDocument } from '../openapi.ts';
import { pageContext, sendHtml } from '../request-context.ts';
import { importRowJsonSchema } from '../../services/import/import-row.ts';

/** The API described: OpenAPI 3.1 (generated once from the route schemas) and a reference page. */
export function apiDocsRoutes(deps: ServiceDeps) {
  const document = apiDocument(deps.config.publicUrl);
  const importSchema = importRowJsonSchema();
  return async function apiDocsRoutesPlugin(app: FastifyInstance) {
    app.get(`${API_V1}/openapi.json`, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return document;
    });
    // One line of an import file (`mamori import accounts`), for shops that check their export first.
    app.get(`${API_V1}/import-row.schema.json`, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return importSchema;
    });
    app.get(`${API_V1}/docs`, async (request, reply) =>
      sendHtml(reply, 200, apiReferencePage(pageContext(request, reply, deps.config), document, deps.config.publicUrl)),
    );
  };
}
