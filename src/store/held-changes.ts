import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { HeldChangesTable } from './schema.ts';

export type HeldChangeRow = Selectable<HeldChangesTable>;

export async function insertHeldChange(db: Executor, row: Omit<HeldChangeRow, 'settled_at' | 'outcome'>): Promise<void> {
  await db.insertInto('held_changes').values({ ...row, settled_at: null, outcome: null }).execute();
}

export function findHeldChange(db: Executor, id: string): Promise<HeldChangeRow | undefined> {
  return db.selectFrom('held_changes').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listPendingHeldChanges(db: Executor, accountId: string): Promise<HeldChangeRow[]> {
  return db.selectFrom('held_changes').selectAll().where('account_id', '=', accountId).where('settled_at', 'is', null).orderBy('apply_at').execute();
}

export function listDueHeldChanges(db: Executor, now: string, limit: number): Promise<HeldChangeRow[]> {
  return db.selectFrom('held_changes').selectAll().where('settled_at', 'is', null).where('apply_at', '<=', now).orderBy('apply_at').limit(limit).execute();
}

/** Settles a pending hold exactly once (concurrent workers or a cancel racing the clock: one wins). */
export async function settleHeldChange(db: Executor, id: string, outcome: 'applied' | 'cancelled' | 'void', at: string): Promise<boolean> {
  const result = await db.updateTable('held_changes').set({ settled_at: at, outcome }).where('id', '=', id).where('settled_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Containment voids whatever the account still has on hold. */
export async function voidHeldChanges(db: Executor, accountId: string, at: string): Promise<void> {
  await db.updateTable('held_changes').set({ settled_at: at, outcome: 'void' }).where('account_id', '=', accountId).where('settled_at', 'is', null).execute();
}
