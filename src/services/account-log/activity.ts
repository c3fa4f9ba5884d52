import type { ChangeRecord } from '../../core/change-kinds.ts';
import { DAY_MS } from '../../core/clock.ts';
import { listLogSince, toChangeRecord } from '../../store/account-log.ts';
import type { ServiceDeps } from '../deps.ts';

const ACTIVITY_DAYS = 90;

/** The account's own log for the last 90 days, newest first: what its owner sees on the activity page. */
export async function recentActivity(deps: ServiceDeps, accountId: string): Promise<ChangeRecord[]> {
  const since = new Date(deps.clock.now().getTime() - ACTIVITY_DAYS * DAY_MS).toISOString();
  return (await listLogSince(deps.db, accountId, since)).map(toChangeRecord).reverse();
}
