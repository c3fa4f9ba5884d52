import type { MedusaContainer } from '@medusajs/framework/types';
import { carryOutUndoRequest } from './held-orders';
import { mamoriApi } from './mamori-api';
import type { MamoriSettings } from './settings';

/**
 * Reads the undo requests still waiting on this store and carries out and answers each, as if its event
 * had just arrived: for a store Mamori cannot push to, and for answers that could not be sent. Holding,
 * releasing and cancelling are idempotent, so a request that also arrives by push is answered the same.
 */
export async function syncUndoRequests(container: MedusaContainer, settings: MamoriSettings): Promise<number> {
  const api = mamoriApi(settings);
  const waiting = await api.waitingUndoRequests();
  for (const request of waiting) {
    const answer_endpoint = `/api/v1/undo-requests/${encodeURIComponent(request.id)}`;
    const outcome = await carryOutUndoRequest(container, request.sub, {
      request_id: request.id,
      action: request.action,
      item: request.item,
      answer_endpoint,
    });
    await api.answerUndoRequest(answer_endpoint, outcome.answer, outcome.note);
  }
  return waiting.length;
}
