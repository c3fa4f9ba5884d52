import type { Insertable, Selectable } from 'kysely';
import { compiledOnce } from './compiled-query.ts';
import type { Executor } from './database.ts';
import type { StaffMembersTable, StaffSessionsTable } from './schema.ts';

export type StaffRow = Selectable<StaffMembersTable>;
export type StaffSessionRow = Selectable<StaffSessionsTable>;

export async function insertStaff(db: Executor, row: Insertable<StaffMembersTable>): Promise<void> {
  await db.insertInto('staff_members').values(row).execute();
}

export function findStaffByEmail(db: Executor, email: string): Promise<StaffRow | undefined> {
  return db.selectFrom('staff_members').selectAll().where('email', '=', email).executeTakeFirst();
}

export function findStaffById(db: Executor, id: string): Promise<StaffRow | undefined> {
  return db.selectFrom('staff_members').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listStaff(db: Executor): Promise<StaffRow[]> {
  return db.selectFrom('staff_members').selectAll().orderBy('created_at').execute();
}

/** Swaps a staff member's stored seed for the same seed sealed anew, unless someone else changed it first. */
export async function replaceStaffTotpSecret(
  db: Executor,
  staffId: string,
  from: string,
  to: string,
): Promise<boolean> {
  const result = await db
    .updateTable('staff_members')
    .set({ totp_secret: to })
    .where('id', '=', staffId)
    .where('totp_secret', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Every staff member's stored seed (disabled members too), a page at a time in id order. */
export async function staffTotpSecretsAfter(
  db: Executor,
  afterId: string,
  limit: number,
): Promise<{ id: string; secret: string }[]> {
  return db
    .selectFrom('staff_members')
    .select(['id', 'totp_secret as secret'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Accepts a TOTP step once per staff member (a replayed code is refused). */
export async function useStaffTotpStep(db: Executor, staffId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('staff_members')
    .set({ totp_last_step: step })
    .where('id', '=', staffId)
    .where('totp_last_step', '<', step)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertStaffSession(db: Executor, row: StaffSessionRow): Promise<void> {
  await db.insertInto('staff_sessions').values(row).execute();
}

const staffSession = compiledOnce((db: Executor, tokenHash: string) =>
  db
    .selectFrom('staff_sessions')
    .innerJoin('staff_members', 'staff_members.id', 'staff_sessions.staff_id')
    .select([
      'staff_sessions.id',
      'staff_sessions.staff_id',
      'staff_sessions.created_at',
      'staff_sessions.last_seen_at',
      'staff_sessions.revoked_at',
      'staff_members.email',
      'staff_members.name',
      'staff_members.role',
      'staff_members.disabled_at',
    ])
    .where('staff_sessions.token_hash', '=', tokenHash),
);

export async function findStaffSession(db: Executor, tokenHash: string) {
  return (await staffSession(db, tokenHash))[0];
}

export async function touchStaffSession(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('staff_sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
}

export async function revokeStaffSession(db: Executor, id: string, at: string): Promise<void> {
  await db
    .updateTable('staff_sessions')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function setStaffPassword(db: Executor, id: string, passwordHash: string): Promise<void> {
  await db.updateTable('staff_members').set({ password_hash: passwordHash }).where('id', '=', id).execute();
}

export async function revokeAllStaffSessions(db: Executor, staffId: string, at: string): Promise<void> {
  await db
    .updateTable('staff_sessions')
    .set({ revoked_at: at })
    .where('staff_id', '=', staffId)
    .where('revoked_at', 'is', null)
    .execute();
}
