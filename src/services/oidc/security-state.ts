import { DomainError } from '../../core/errors.ts';
import { effectiveState, type IncidentState } from '../../core/incident/state.ts';
import { couldBeIssuedId } from '../../core/oidc/lookup-keys.ts';
import { findAccountById } from '../../store/accounts.ts';
import { listIncidentsForAccount } from '../../store/incidents.ts';
import { findOidcClient } from '../../store/oidc-clients.ts';
import { listOidcPayloadsOfAccount } from '../../store/oidc-payloads.ts';
import type { ServiceDeps } from '../deps.ts';

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

/**
 * GET /api/v1/accounts/{sub}/security. The store's own shops (first party) may ask about any account;
 * another shop only about an account that signed in to it. An account it may not see is as unknown as
 * one that does not exist.
 */
export async function securityStateFor(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  clientId: string,
  sub: string,
): Promise<SecurityState> {
  if (!couldBeIssuedId(sub)) throw new DomainError('NOT_FOUND');
  const [account, client] = await Promise.all([findAccountById(deps.db, sub), findOidcClient(deps.db, clientId)]);
  if (!account || !client) throw new DomainError('NOT_FOUND');
  if (client.first_party !== 1) {
    const grants = await listOidcPayloadsOfAccount(deps.db, sub, ['Grant']);
    if (!grants.some((grant) => grant.client_id === clientId)) throw new DomainError('NOT_FOUND');
  }
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
