import type { ChangeActor } from '../../core/change-kinds.ts';
import { DomainError } from '../../core/errors.ts';
import { effectiveState, type IncidentState } from '../../core/incident/state.ts';
import {
  assertMayDecide,
  DECISION_ACTION,
  type Decider,
  type HeldOrder as CoreHeldOrder,
  type OrderDecision,
} from '../../core/shop/held-orders.ts';
import type { ShopItemType } from '../../core/shop/shop-changes.ts';
import type { Executor } from '../../store/database.ts';
import { findIncident, type IncidentRow } from '../../store/incidents.ts';
import {
  findFollowUp,
  findShopUndoRequest,
  isSecondDecision,
  type ShopUndoRequestRow,
} from '../../store/shop-undo-requests.ts';
import { actorFrom, recordChange } from '../account-log/change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { partyForStatusToken } from '../incidents/parties.ts';
import { staffActor } from '../support/case-actions.ts';
import type { StaffSession } from '../support/staff-accounts.ts';
import { sendUndoRequest } from './undo-requests.ts';

export type HeldOrder = CoreHeldOrder<ShopUndoRequestRow>;

/** Who decides: the holder of an incident page link (its standing says who that is), the signed-in owner, or staff. */
export type OrderDecider =
  | { by: 'link'; statusToken: unknown }
  | { by: 'account'; accountId: string }
  | { by: 'staff'; staff: StaffSession; accountId: string; incidentId: string };

async function resolveDecider(
  trx: Executor,
  decider: OrderDecider,
  hold: ShopUndoRequestRow,
  origin: RequestOrigin,
): Promise<{ incident: IncidentRow; who: Decider; actor: ChangeActor }> {
  if (decider.by === 'link') {
    const { incident, party } = await partyForStatusToken(trx, decider.statusToken);
    const who: Decider = party.standing === 'owner' ? 'owner' : 'newcomer';
    return { incident, who, actor: actorFrom(origin) };
  }
  const incident = await findIncident(trx, hold.incident_id);
  // Another account's order (or staff's form aimed at another case) is as unknown as one that does not exist.
  if (!incident || incident.account_id !== decider.accountId) throw new DomainError('NOT_FOUND');
  if (decider.by === 'staff' && incident.id !== decider.incidentId) throw new DomainError('NOT_FOUND');
  // After recovery only the owner can sign in: the password is hers, every earlier session ended.
  if (decider.by === 'account') return { incident, who: 'owner', actor: actorFrom(origin) };
  return { incident, who: 'staff', actor: staffActor(decider.staff, origin) };
}

/**
 * "This was mine: release it" or "Cancel it" for one held order. In one transaction: who decides is
 * judged (core), the follow-up request is kept for the shop and queued to its stream as `undo-requested`
 * (`release-order` / `cancel-order`, `follows` the hold), and the decision is logged on the account.
 * Returns the incident, so the page that asked can be shown again.
 */
export async function decideHeldOrder(
  deps: ServiceDeps,
  decider: OrderDecider,
  holdId: string,
  decision: OrderDecision,
  origin: RequestOrigin,
): Promise<{ incidentId: string }> {
  const result = await deps.db
    .transaction()
    .execute(async (trx) => {
      const hold = await findShopUndoRequest(trx, holdId);
      if (!hold) throw new DomainError('NOT_FOUND');
      const { incident, who, actor } = await resolveDecider(trx, decider, hold, origin);
      if (hold.incident_id !== incident.id) throw new DomainError('NOT_FOUND');
      const state = effectiveState(
        incident.state as IncidentState,
        incident.wait_until ? new Date(incident.wait_until) : null,
        deps.clock.now(),
      );
      assertMayDecide({
        decider: who,
        incidentState: state,
        request: hold,
        alreadyDecided: (await findFollowUp(trx, hold.id)) !== undefined,
      });
      const action = DECISION_ACTION[decision];
      await sendUndoRequest(trx, deps, {
        incidentId: incident.id,
        accountId: hold.account_id,
        clientId: hold.client_id,
        changeId: hold.change_id,
        action,
        item: { type: hold.item_type as ShopItemType, id: hold.item_id },
        follows: hold.id,
      });
      await recordChange(trx, deps, {
        accountId: hold.account_id,
        kind: 'held-order-decided',
        actor,
        subjectId: hold.change_id,
        after: { item_type: hold.item_type, item_id: hold.item_id, decision, by: who },
      });
      return { incidentId: incident.id };
    })
    // Two clicks racing past the check: the store keeps one decision per hold.
    .catch((error: unknown) => {
      throw isSecondDecision(error) ? new DomainError('ORDER_ALREADY_DECIDED') : error;
    });
  deps.mailQueued();
  return result;
}
