import type { LoaderOptions } from '@medusajs/framework/types';
import { mamoriApi } from '../../lib/mamori-api';
import { mamoriSettings } from '../../lib/settings';

const RETRY_MS = 30_000;

/**
 * When Medusa starts, this store's Shared Signals push stream is pointed at its receiver
 * (/mamori/security-events); while Mamori cannot be reached, it is tried again every 30 seconds.
 */
export default async function openStream({ container }: LoaderOptions): Promise<void> {
  const settings = mamoriSettings();
  const endpoint = `${settings.publicUrl}/mamori/security-events`;
  const attempt = () =>
    mamoriApi(settings)
      .openPushStream(endpoint)
      .catch((error: unknown) => {
        container
          .resolve<{ warn(message: string): void }>('logger')
          .warn(`mamori: the event stream waits (${error instanceof Error ? error.message : String(error)})`);
        setTimeout(attempt, RETRY_MS).unref();
      });
  void attempt();
}
