import type { FastifyInstance } from 'fastify';
import type { ServiceDeps } from '../../services/deps.ts';
import type { z } from 'zod';
import { importAccounts, type ImportReport } from '../../services/import/import-accounts.ts';
import { API_V1, parsed, problemDetails, type ApiCallerCheck } from '../api-v1.ts';
import { accountsImportBatch, type accountsImportReport } from '../api-v1-schemas.ts';

/**
 * What a shop hears of its import. A new account and an address Mamori already had read the same (and
 * per-format counts, which counted new accounts only, are left out): a shop holding this scope must not
 * learn which addresses have Mamori accounts by importing them. The operator's CLI shows the whole report.
 */
function shopsView(report: ImportReport): z.infer<typeof accountsImportReport> {
  return {
    rows: report.rows,
    imported: report.imported + report.existingAddress,
    alreadyImported: report.alreadyImported,
    duplicates: report.duplicates,
    refused: report.refused,
  };
}

/**
 * `POST /api/v1/accounts:import` (scope `accounts:import`): a shop that scripts its move sends its
 * customers in batches; the shop is the caller, so one shop can never write another's customer ids.
 */
export function importApiRoutes(deps: ServiceDeps, caller: ApiCallerCheck) {
  return async function importApiRoutesPlugin(app: FastifyInstance) {
    await app.register(async (api) => {
      problemDetails(api, deps);
      // `::` is Fastify's literal colon (AIP-136 custom method), not a path parameter.
      api.post(`${API_V1}/accounts::import`, { bodyLimit: 4 * 1024 * 1024 }, async (request) => {
        const who = await caller(request, 'accounts:import');
        const batch = parsed(accountsImportBatch, request.body);
        const report = await importAccounts(
          deps,
          batch.rows.map((value, i) => ({ line: i + 1, value })),
          { clientId: who.clientId, dryRun: batch.dryRun ?? false, keys: batch.keys },
        );
        return shopsView(report);
      });
    });
  };
}
