import type { Logger, MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { pollSecurityEvents } from '../lib/security-event-poll';
import { mamoriSettings, pollIntervalMs } from '../lib/settings';

/**
 * With `MAMORI_SSF_DELIVERY=poll`, every minute (or `MAMORI_SSF_POLL_SECONDS`): Mamori's waiting security
 * events are read and carried out, as if pushed. With push delivery there is nothing to poll.
 */
export default async function mamoriSecurityEvents(container: MedusaContainer): Promise<void> {
  await pollSecurityEvents(container, mamoriSettings()).catch((error: unknown) =>
    container
      .resolve<Logger>(ContainerRegistrationKeys.LOGGER)
      .warn(`mamori: security events not polled (${error instanceof Error ? error.message : String(error)})`),
  );
}

export const config = { name: 'mamori-security-events', schedule: { interval: pollIntervalMs() } };
