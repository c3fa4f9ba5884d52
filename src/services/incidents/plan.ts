import type { ChangeRecord } from '../../core/change-kinds.ts';
import { planUndo, type Suspects, type UndoStep } from '../../core/incident/undo-plan.ts';
import { listLogSince, toChangeRecord } from '../../store/account-log.ts';
import type { Executor } from '../../store/database.ts';
import { devicesKnownBefore } from '../../store/devices.ts';
import { findSessionById, listSessionsStartedSince } from '../../store/sessions.ts';

export interface IncidentPlan {
  compromiseAt: string;
  steps: UndoStep[];
  /** Sessions and browsers judged to be the attacker's: the reported change's, and every later one on a browser new since then. */
  suspects: Suspects;
}

/**
 * The compromise point is the sign-in that started the session behind the reported change (or the
 * change itself when no session made it). Suspects: that session, and every session started since on a
 * device the owner had not used before the compromise. The reporter sees the list and may untick.
 */
export async function planForReport(db: Executor, reported: ChangeRecord): Promise<IncidentPlan> {
  let compromiseAt = reported.occurredAt;
  if (reported.actor.sessionId) {
    const session = await findSessionById(db, reported.actor.sessionId);
    if (session && session.created_at < compromiseAt) compromiseAt = session.created_at;
  }
  const ownerDevices = await devicesKnownBefore(db, reported.accountId, compromiseAt);
  const laterSessions = await listSessionsStartedSince(db, reported.accountId, compromiseAt);
  const sessionIds = new Set<string>();
  const deviceIds = new Set<string>();
  if (reported.actor.sessionId) sessionIds.add(reported.actor.sessionId);
  if (reported.actor.deviceId && !ownerDevices.has(reported.actor.deviceId)) deviceIds.add(reported.actor.deviceId);
  for (const session of laterSessions) {
    if (session.device_id !== null && ownerDevices.has(session.device_id)) continue;
    sessionIds.add(session.id);
    if (session.device_id) deviceIds.add(session.device_id);
  }
  const changes = (await listLogSince(db, reported.accountId, compromiseAt)).map(toChangeRecord);
  const suspects = { compromiseAt, sessionIds, deviceIds };
  return { compromiseAt, steps: planUndo(changes, suspects), suspects };
}
