import type { ChangeRecord } from '../../core/change-kinds.ts';
import type { StaffRole } from '../../store/schema.ts';
import { listStaffActions, toChangeRecord } from '../../store/account-log.ts';
import { listStaff } from '../../store/staff.ts';
import type { ServiceDeps } from '../deps.ts';

export interface TeamMember {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  createdAt: string;
}

/** The support desk's members, for the team page (never a password or a seed). */
export async function listTeam(deps: ServiceDeps): Promise<TeamMember[]> {
  return (await listStaff(deps.db)).map((m) => ({
    id: m.id,
    email: m.email,
    name: m.name,
    role: m.role,
    createdAt: m.created_at,
  }));
}

/** The latest staff actions across every account (STANDARDS I4), with the account each touched. */
export async function auditTrail(
  deps: ServiceDeps,
  limit: number,
): Promise<{ record: ChangeRecord; accountEmail: string }[]> {
  return (await listStaffActions(deps.db, limit)).map((row) => ({
    record: toChangeRecord(row),
    accountEmail: row.email,
  }));
}
