import type { LoaderOptions } from '@medusajs/framework/types';
import { mamoriApi } from '../../lib/mamori-api';
import { mamoriSettings } from '../../lib/settings';

const RETRY_MS = 30_000;

/**
 * When Medusa starts, this store's Shared Signals stream is opened the way the settings say: pushed to
 * its receiver (/mamori/security-events), or polled (jobs/mamori-security-events.ts), so Mamori queues
 * events for it from now on; while Mamori cannot be reached, it is tried again every 30 seconds.
 */
export default async function openStream({ container }: LoaderOptions): Promise<void> {
  const settings = mamoriSettings();
  const attempt = () =>
    mamoriApi(settings)
      .openStream(settings.events)
      .catch((error: unknown) => {
        container
          .resolve<{ warn(message: string): void }>('logger')
          .warn(`mamori: the event stream waits (${error instanceof Error ? error.message : String(error)})`);
        setTimeout(attempt, RETRY_MS).unref();
      });
  void attempt();
}
