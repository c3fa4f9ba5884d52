import type { Updateable } from 'kysely';
import { DomainError } from '../../core/errors.ts';
import { canTransition, nextState, type IncidentEvent, type IncidentState } from '../../core/incident/state.ts';
import type { Executor } from '../../store/database.ts';
import { findIncident, updateIncidentFrom } from '../../store/incidents.ts';
import type { IncidentsTable } from '../../store/schema.ts';

/**
 * The one way an incident changes state: read where it is, ask the state table (core/incident/state.ts)
 * whether the event may happen there, and compare-and-set, so of two concurrent actions exactly one
 * wins. An event the table does not allow is a typed INCIDENT_STATE error naming both.
 */
export async function moveIncident(
  trx: Executor,
  incidentId: string,
  event: IncidentEvent,
  changes: Omit<Updateable<IncidentsTable>, 'state'> = {},
): Promise<{ from: IncidentState; to: IncidentState }> {
  const incident = await findIncident(trx, incidentId);
  if (!incident) throw new DomainError('NOT_FOUND');
  const from = incident.state as IncidentState;
  if (!canTransition(from, event))
    throw new DomainError('INCIDENT_STATE', { reason: `an incident cannot ${event} when it is ${from}` });
  const to = nextState(from, event);
  if (!(await updateIncidentFrom(trx, incidentId, from, { ...changes, state: to }))) {
    throw new DomainError('INCIDENT_STATE', { reason: `the incident moved on from ${from} meanwhile` });
  }
  return { from, to };
}

/** Whether the error is the state table's refusal (a worker skips such an incident; a person sees a message). */
export function isRefusedTransition(error: unknown): boolean {
  return error instanceof DomainError && error.code === 'INCIDENT_STATE';
}
