import type { Executor } from './database.ts';

export async function isKnownDevice(db: Executor, accountId: string, deviceId: string): Promise<boolean> {
  const row = await db.selectFrom('known_devices').select('device_id').where('account_id', '=', accountId).where('device_id', '=', deviceId).executeTakeFirst();
  return row !== undefined;
}

export async function rememberDevice(db: Executor, accountId: string, deviceId: string, at: string): Promise<void> {
  await db
    .insertInto('known_devices')
    .values({ account_id: accountId, device_id: deviceId, first_seen_at: at })
    .onConflict((oc) => oc.columns(['account_id', 'device_id']).doNothing())
    .execute();
}

/** Devices the account had before `at`: their changes are the owner's, not the attacker's. */
export async function devicesKnownBefore(db: Executor, accountId: string, at: string): Promise<Set<string>> {
  const rows = await db.selectFrom('known_devices').select('device_id').where('account_id', '=', accountId).where('first_seen_at', '<', at).execute();
  return new Set(rows.map((r) => r.device_id));
}

export async function hasKnownDevices(db: Executor, accountId: string): Promise<boolean> {
  const row = await db.selectFrom('known_devices').select('device_id').where('account_id', '=', accountId).executeTakeFirst();
  return row !== undefined;
}

export interface DeviceStanding {
  /** The account has signed in from some browser before. */
  any: boolean;
  /** When this browser was first seen on the account, null when it is new to it. */
  firstSeenAt: string | null;
  /** This browser is the account's first. */
  isFirst: boolean;
}

export async function deviceStanding(db: Executor, accountId: string, deviceId: string | null | undefined): Promise<DeviceStanding> {
  const rows = await db.selectFrom('known_devices').select(['device_id', 'first_seen_at']).where('account_id', '=', accountId).orderBy('first_seen_at').execute();
  const mine = deviceId ? rows.find((row) => row.device_id === deviceId) : undefined;
  return { any: rows.length > 0, firstSeenAt: mine?.first_seen_at ?? null, isFirst: mine !== undefined && rows[0]?.device_id === deviceId };
}
