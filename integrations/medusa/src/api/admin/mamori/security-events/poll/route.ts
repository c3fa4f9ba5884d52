import type { AuthenticatedMedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { pollSecurityEvents } from '../../../../../lib/security-event-poll';
import { mamoriSettings } from '../../../../../lib/settings';

/** For the store's staff (and the scheduled job's twin): poll Mamori's security events now. */
export async function POST(req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<void> {
  const settings = mamoriSettings();
  if (settings.events.delivery !== 'poll') {
    res.status(409).json({ message: 'Mamori pushes its events to this store (MAMORI_SSF_DELIVERY is not poll).' });
    return;
  }
  res.json(await pollSecurityEvents(req.scope, settings));
}
