import type { MedusaContainer } from '@medusajs/framework/types';
import { mamoriSettings } from '../lib/settings';
import { syncUndoRequests } from '../lib/undo-sync';

/** Every minute: the undo requests still waiting on this store are carried out and answered. */
export default async function mamoriUndoRequests(container: MedusaContainer): Promise<void> {
  await syncUndoRequests(container, mamoriSettings()).catch((error: unknown) =>
    container
      .resolve<{ warn(message: string): void }>('logger')
      .warn(`mamori: undo requests not read (${error instanceof Error ? error.message : String(error)})`),
  );
}

export const config = { name: 'mamori-undo-requests', schedule: '* * * * *' };
