import { isShopChange, type ChangeActor } from '../../core/change-kinds.ts';
import { DomainError } from '../../core/errors.ts';
import type { UndoStep } from '../../core/incident/undo-plan.ts';
import { SHOP_UNDO, type ShopAnswer, type ShopItemType, type ShopUndoAction } from '../../core/shop/shop-changes.ts';
import type { Executor } from '../../store/database.ts';
import { findOidcClient } from '../../store/oidc-clients.ts';
import {
  findShopUndoRequest,
  insertShopUndoRequest,
  listShopUndoRequestsOfClient,
  recordShopAnswer,
  type ShopUndoRequestRow,
} from '../../store/shop-undo-requests.ts';
import { recordChange } from '../account-log/change-log.ts';
import type { ServiceDeps } from '../deps.ts';
import { queueSecurityEvents } from '../ssf/security-events.ts';

/**
 * Asks the shop that reported a change to undo it (hold the order, remove the card), in the containment's
 * transaction: the request is kept for the shop to answer and sent to its stream as Mamori's
 * `undo-requested` event. Returns false when the step names no shop item (nothing can be asked).
 */
export async function askShopToUndo(
  trx: Executor,
  deps: Pick<ServiceDeps, 'clock' | 'random' | 'config'>,
  incidentId: string,
  accountId: string,
  step: UndoStep,
): Promise<boolean> {
  const clientId = step.after?.client_id;
  const itemId = step.after?.item_id;
  if (!isShopChange(step.kind) || typeof clientId !== 'string' || typeof itemId !== 'string') return false;
  const { action, itemType } = SHOP_UNDO[step.kind];
  await sendUndoRequest(trx, deps, {
    incidentId,
    accountId,
    clientId,
    changeId: step.changeId,
    action,
    item: { type: itemType, id: itemId },
    follows: null,
  });
  return true;
}

/**
 * Keeps one request for the shop to answer and queues it to the shop's stream as `undo-requested`, in
 * the caller's transaction. A follow-up (release or cancel a held order) names the request it follows.
 */
export async function sendUndoRequest(
  trx: Executor,
  deps: Pick<ServiceDeps, 'clock' | 'random' | 'config'>,
  request: {
    incidentId: string;
    accountId: string;
    clientId: string;
    changeId: string;
    action: ShopUndoAction;
    item: { type: ShopItemType; id: string };
    follows: string | null;
  },
): Promise<string> {
  const requestId = deps.random.id();
  const { incidentId, accountId, clientId, action, item, follows } = request;
  await insertShopUndoRequest(trx, {
    id: requestId,
    incident_id: incidentId,
    account_id: accountId,
    client_id: clientId,
    change_id: request.changeId,
    action,
    item_type: item.type,
    item_id: item.id,
    answer: null,
    note: null,
    requested_at: deps.clock.now().toISOString(),
    answered_at: null,
    follows,
  });
  await queueSecurityEvents(trx, deps, [
    {
      event: {
        name: 'undo-requested',
        accountId,
        clientId,
        requestId,
        action,
        item,
        ...(follows ? { follows } : {}),
      },
      txn: incidentId,
    },
  ]);
  return requestId;
}

export type { ShopUndoRequestRow };

/** A request as the shop reads it from the API. */
export interface UndoRequestView {
  id: string;
  sub: string;
  incident: string;
  action: string;
  item: { type: string; id: string };
  requestedAt: string;
  /** A decision about a held order names the hold request it follows. */
  follows: string | null;
  answer: ShopAnswer | null;
  note: string | null;
  answeredAt: string | null;
}

function view(row: ShopUndoRequestRow): UndoRequestView {
  return {
    id: row.id,
    sub: row.account_id,
    incident: row.incident_id,
    action: row.action,
    item: { type: row.item_type, id: row.item_id },
    requestedAt: row.requested_at,
    follows: row.follows,
    answer: row.answer as ShopAnswer | null,
    note: row.note,
    answeredAt: row.answered_at,
  };
}

/** GET /api/v1/undo-requests: this shop's requests, oldest first (those waiting on it, or all). */
export async function listUndoRequests(
  deps: Pick<ServiceDeps, 'db'>,
  clientId: string,
  which: 'waiting' | 'all',
  limit: number,
): Promise<UndoRequestView[]> {
  return (await listShopUndoRequestsOfClient(deps.db, clientId, which, limit)).map(view);
}

export async function readUndoRequest(
  deps: Pick<ServiceDeps, 'db'>,
  clientId: string,
  requestId: string,
): Promise<UndoRequestView> {
  const row = await findShopUndoRequest(deps.db, requestId);
  if (!row || row.client_id !== clientId) throw new DomainError('NOT_FOUND');
  return view(row);
}

/**
 * PUT /api/v1/undo-requests/{id}: the shop's answer, logged on the account with the shop as actor. Only
 * the shop that was asked may answer; another shop's request is as unknown as one that does not exist.
 * An answer may change (held, then cancelled); the same answer again writes nothing.
 */
export async function answerUndoRequest(
  deps: ServiceDeps,
  clientId: string,
  requestId: string,
  answer: { answer: ShopAnswer; note?: string },
): Promise<UndoRequestView> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await findShopUndoRequest(trx, requestId);
    if (!row || row.client_id !== clientId) throw new DomainError('NOT_FOUND');
    const note = answer.note ?? null;
    if (row.answer === answer.answer && row.note === note) return view(row);
    const client = await findOidcClient(trx, clientId);
    const at = deps.clock.now().toISOString();
    await recordShopAnswer(trx, row.id, { answer: answer.answer, note, at });
    const actor: ChangeActor = {
      type: 'system',
      sessionId: null,
      deviceId: null,
      device: client?.name ?? clientId,
      ip: '-',
      area: null,
    };
    await recordChange(trx, deps, {
      accountId: row.account_id,
      kind: 'shop-undo-answered',
      actor,
      subjectId: row.change_id,
      before: row.answer ? { answer: row.answer } : null,
      after: { answer: answer.answer, item_type: row.item_type, item_id: row.item_id, note },
    });
    return view({ ...row, answer: answer.answer, note, answered_at: at });
  });
}
