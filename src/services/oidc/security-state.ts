import { effectiveState, type IncidentState } from '../../core/incident/state.ts';
import { listIncidentsForAccount } from '../../store/incidents.ts';
import type { ServiceDeps } from '../deps.ts';
import { customerOfShop } from './shop-customers.ts';

/** What a shop's checkout may ask before it ships: is this account being secured, is anything on hold. */
export interface SecurityState {
  sub: string;
  /** `locked` while an incident holds the account (contained, waiting, disputed). */
  status: 'active' | 'locked';
  incident: { state: IncidentState; openedAt: string; recoveryOpensAt: string | null } | null;
  holds: { irreversibleActionsUntil: string | null };
  lastContainmentAt: string | null;
}

const OPEN = new Set<IncidentState>(['reported', 'contained', 'waiting', 'recovery-open', 'disputed']);

/** GET /api/v1/accounts/{sub}/security, about an account the shop may see (shop-customers.ts). */
export async function securityStateFor(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  clientId: string,
  sub: string,
): Promise<SecurityState> {
  const { account } = await customerOfShop(deps.db, clientId, sub);
  const now = deps.clock.now();
  const incidents = await listIncidentsForAccount(deps.db, sub);
  const open = incidents
    .map((incident) => ({
      incident,
      state: effectiveState(
        incident.state as IncidentState,
        incident.wait_until ? new Date(incident.wait_until) : null,
        now,
      ),
    }))
    .find(({ state }) => OPEN.has(state));
  const hold = account.irreversible_hold_until;
  return {
    sub,
    status: account.status === 'locked' ? 'locked' : 'active',
    incident: open
      ? { state: open.state, openedAt: open.incident.created_at, recoveryOpensAt: open.incident.wait_until }
      : null,
    holds: { irreversibleActionsUntil: hold && hold > now.toISOString() ? hold : null },
    lastContainmentAt: incidents.map((i) => i.contained_at).find((at): at is string => Boolean(at)) ?? null,
  };
}
