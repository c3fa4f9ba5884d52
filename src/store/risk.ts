import { compiledInsert, compiledOnce } from './compiled-query.ts';
import type { AtOnce, Executor } from './database.ts';
import type { Selectable } from 'kysely';
import type { RiskDecisionsTable } from './schema.ts';

export type RiskDecisionRow = Selectable<RiskDecisionsTable>;

/** The minute bucket of an ISO timestamp: "2026-03-02T05:46". */
export function minuteBucket(iso: string): string {
  return iso.slice(0, 16);
}

/** Adds one failure to each key's bucket for this minute. */
export async function countFailures(db: Executor, keys: readonly string[], at: string): Promise<void> {
  const bucket = minuteBucket(at);
  await db
    .insertInto('risk_counters')
    .values(keys.map((key) => ({ key, bucket, count: 1 })))
    .onConflict((oc) =>
      oc.columns(['key', 'bucket']).doUpdateSet((eb) => ({ count: eb('risk_counters.count', '+', 1) })),
    )
    .execute();
}

export async function pruneCounters(db: Executor, before: string): Promise<void> {
  await db.deleteFrom('risk_counters').where('bucket', '<', minuteBucket(before)).execute();
}

// Every sign-in and sensitive change writes one: compiled once.
export const insertRiskDecision = compiledInsert('risk_decisions', [
  'id',
  'account_id',
  'action',
  'decision',
  'score',
  'reasons',
  'ip',
  'country',
  'device_id',
  'created_at',
]);

export function listRiskDecisions(db: Executor, accountId: string, limit: number): Promise<RiskDecisionRow[]> {
  return db
    .selectFrom('risk_decisions')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

/** A deny notice went to this account since `since`: one such mail an hour is enough. */
export async function deniedSince(db: Executor, accountId: string, since: string): Promise<boolean> {
  const row = await db
    .selectFrom('risk_decisions')
    .select('id')
    .where('account_id', '=', accountId)
    .where('decision', '=', 'deny')
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return row !== undefined;
}

export interface AccountLocations {
  countries: string[];
  last: { country: string; at: string } | null;
}

// Every sign-in from a known country writes it: compiled once.
const upsertLocation = compiledOnce((db: Executor, accountId: string, country: string, at: string) =>
  db
    .insertInto('account_locations')
    .values({ account_id: accountId, country, first_seen_at: at, last_seen_at: at })
    .onConflict((oc) => oc.columns(['account_id', 'country']).doUpdateSet({ last_seen_at: at })),
);

export async function rememberLocation(db: Executor, accountId: string, country: string, at: string): Promise<void> {
  await upsertLocation(db, accountId, country, at);
}

/** Inside sqliteAtOnce's work: remembered there and then. */
export function rememberLocationNow(atOnce: AtOnce, accountId: string, country: string, at: string): void {
  upsertLocation.now(atOnce, accountId, country, at);
}
