import { compiledInsert, compiledOnce } from './compiled-query.ts';
import type { Executor } from './database.ts';
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

const failureSums = compiledOnce((db: Executor, account: string, address: string, global: string, fromBucket: string) =>
  db
    .selectFrom('risk_counters')
    .select(['key', (eb) => eb.fn.sum<number | string>('count').as('total')])
    .where('key', 'in', [account, address, global])
    .where('bucket', '>=', fromBucket)
    .groupBy('key'),
);

/** Failures per key (the account's, the client address's, the shop's) since `from`: one indexed range read. */
export async function sumFailures(
  db: Executor,
  keys: { account: string; address: string; global: string },
  from: string,
): Promise<Map<string, number>> {
  const rows = await failureSums(db, keys.account, keys.address, keys.global, minuteBucket(from));
  return new Map(rows.map((row) => [row.key, Number(row.total)]));
}

export async function pruneCounters(db: Executor, before: string): Promise<void> {
  await db.deleteFrom('risk_counters').where('bucket', '<', minuteBucket(before)).execute();
}

// Every sign-in and sensitive change writes one: compiled once.
export const insertRiskDecision: (db: Executor, row: RiskDecisionRow) => Promise<void> = compiledInsert(
  'risk_decisions',
  ['id', 'account_id', 'action', 'decision', 'score', 'reasons', 'ip', 'country', 'device_id', 'created_at'],
);

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

const locationsOf = compiledOnce((db: Executor, accountId: string) =>
  db
    .selectFrom('account_locations')
    .select(['country', 'last_seen_at'])
    .where('account_id', '=', accountId)
    .orderBy('last_seen_at', 'desc'),
);

export async function readAccountLocations(db: Executor, accountId: string): Promise<AccountLocations> {
  const rows = await locationsOf(db, accountId);
  const latest = rows[0];
  return {
    countries: rows.map((r) => r.country),
    last: latest ? { country: latest.country, at: latest.last_seen_at } : null,
  };
}

export async function rememberLocation(db: Executor, accountId: string, country: string, at: string): Promise<void> {
  await db
    .insertInto('account_locations')
    .values({ account_id: accountId, country, first_seen_at: at, last_seen_at: at })
    .onConflict((oc) => oc.columns(['account_id', 'country']).doUpdateSet({ last_seen_at: at }))
    .execute();
}
