import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { DelayedChangesTable } from './schema.ts';

export type DelayedChangeRow = Selectable<DelayedChangesTable>;

export async function insertDelayedChange(
  db: Executor,
  row: Omit<DelayedChangeRow, 'settled_at' | 'outcome'>,
): Promise<void> {
  await db
    .insertInto('delayed_changes')
    .values({ ...row, settled_at: null, outcome: null })
    .execute();
}

export function findDelayedChange(db: Executor, id: string): Promise<DelayedChangeRow | undefined> {
  return db.selectFrom('delayed_changes').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listPendingDelayedChanges(db: Executor, accountId: string): Promise<DelayedChangeRow[]> {
  return db
    .selectFrom('delayed_changes')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('settled_at', 'is', null)
    .orderBy('apply_at')
    .execute();
}

export function listDueDelayedChanges(db: Executor, now: string, limit: number): Promise<DelayedChangeRow[]> {
  return db
    .selectFrom('delayed_changes')
    .selectAll()
    .where('settled_at', 'is', null)
    .where('apply_at', '<=', now)
    .orderBy('apply_at')
    .limit(limit)
    .execute();
}

/** Settles a delayed change exactly once (concurrent workers or a cancel racing the clock: one wins). */
export async function settleDelayedChange(
  db: Executor,
  id: string,
  outcome: 'applied' | 'cancelled' | 'void',
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('delayed_changes')
    .set({ settled_at: at, outcome })
    .where('id', '=', id)
    .where('settled_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Containment voids whatever changes the account still has waiting. */
export async function voidDelayedChanges(db: Executor, accountId: string, at: string): Promise<void> {
  await db
    .updateTable('delayed_changes')
    .set({ settled_at: at, outcome: 'void' })
    .where('account_id', '=', accountId)
    .where('settled_at', 'is', null)
    .execute();
}
