import type { StoreSnapshot } from '../../platform/metrics.ts';
import type { Db } from '../../store/database.ts';
import { countIncidentsByState } from '../../store/incidents.ts';
import { outboxBacklog } from '../../store/outbox.ts';
import type { Clock } from '../../core/clock.ts';

/** The shared figures every instance reports alike: the outbox backlog and incidents by state. */
export async function storeSnapshot(deps: { db: Db; clock: Clock }): Promise<StoreSnapshot> {
  const now = deps.clock.now().getTime();
  const [backlog, incidents] = await Promise.all([outboxBacklog(deps.db), countIncidentsByState(deps.db)]);
  return {
    outbox: backlog.map((row) => ({
      channel: row.channel,
      status: row.status,
      count: row.count,
      oldestAgeSeconds: Math.max(0, (now - Date.parse(row.oldest)) / 1000),
    })),
    incidents,
  };
}

/** Liveness that means something: the store answers. */
export async function storeAnswers(db: Db): Promise<boolean> {
  try {
    await db.selectFrom('accounts').select('id').limit(1).execute();
    return true;
  } catch {
    return false;
  }
}
