import type { ICustomerModuleService, Logger, MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, Modules } from '@medusajs/framework/utils';
import { carryOutUndoRequest, type UndoRequest } from './held-orders';
import { mamoriApi } from './mamori-api';
import { verifySecurityEvent, type SecurityEvent } from './mamori-tokens';
import { customerIdOfSub, disableAccount, enableAccount, endEverySignIn } from './revocations';
import { actOnce } from './seen-once';
import type { MamoriSettings } from './settings';

const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';

/** Mamori's new address for the account becomes the customer's email here too. */
async function followNewEmail(container: MedusaContainer, sub: string, email: unknown) {
  const customerId = await customerIdOfSub(container, sub);
  if (!customerId || typeof email !== 'string' || !email.includes('@')) return;
  await container.resolve<ICustomerModuleService>(Modules.CUSTOMER).updateCustomers(customerId, { email });
}

/**
 * What each event from Mamori means for this store: a hijacked account (`account-disabled`) ends every
 * sign-in and stops checkout until `account-enabled`; ended sessions end here; a changed email follows;
 * each `undo-requested` is carried out on the order it names and answered through Mamori's API.
 */
export async function actOnSecurityEvent(
  container: MedusaContainer,
  settings: MamoriSettings,
  event: SecurityEvent,
): Promise<void> {
  const { sub } = event;
  if (!sub) return;
  switch (event.type) {
    case `${RISC}account-disabled`:
      await disableAccount(container, sub, event.occurredAt);
      return;
    case `${RISC}account-enabled`:
      await enableAccount(container, sub);
      return;
    case `${CAEP}session-revoked`:
      await endEverySignIn(container, sub, event.occurredAt);
      return;
    case `${RISC}identifier-changed`:
      await followNewEmail(container, sub, event.event['new-value']);
      return;
    case `${settings.issuer}/secevent/event-type/undo-requested`: {
      const request = event.event as unknown as UndoRequest;
      const outcome = await carryOutUndoRequest(container, sub, request);
      await mamoriApi(settings)
        .answerUndoRequest(request.answer_endpoint, outcome.answer, outcome.note)
        .catch((error: unknown) =>
          container
            .resolve<Logger>(ContainerRegistrationKeys.LOGGER)
            .warn(`mamori: the answer to ${request.request_id} waits (${String(error)})`),
        );
      return;
    }
    default:
  }
}

/**
 * One SET from Mamori, pushed or polled: verified against Mamori's keys as addressed to this store
 * (TokenRefused otherwise, and nothing done) and acted on once, however often it arrives: `acted` is
 * false for one already carried out.
 */
export async function receiveSecurityEvent(
  container: MedusaContainer,
  settings: MamoriSettings,
  token: string,
): Promise<{ event: SecurityEvent; acted: boolean }> {
  const event = await verifySecurityEvent(settings, token);
  const acted = await actOnce(container, 'set', event.jti, () => actOnSecurityEvent(container, settings, event));
  return { event, acted };
}
