import type { AuthenticatedMedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { mamoriSettings } from '../../../../../lib/settings';
import { syncUndoRequests } from '../../../../../lib/undo-sync';

/** For the store's staff (and the scheduled job's twin): read and answer Mamori's waiting undo requests now. */
export async function POST(req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<void> {
  res.json({ answered: await syncUndoRequests(req.scope, mamoriSettings()) });
}
