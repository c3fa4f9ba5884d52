import { compiledOnce } from './compiled-query.ts';
import type { Executor } from './database.ts';

const knownDevice = compiledOnce((db: Executor, accountId: string, deviceId: string) =>
  db
    .selectFrom('known_devices')
    .select('device_id')
    .where('account_id', '=', accountId)
    .where('device_id', '=', deviceId),
);

export async function isKnownDevice(db: Executor, accountId: string, deviceId: string): Promise<boolean> {
  return (await knownDevice(db, accountId, deviceId)).length > 0;
}

/** The account stops recognising these browsers: an incident's suspects get no favours a known browser gets. */
export async function forgetDevices(db: Executor, accountId: string, deviceIds: readonly string[]): Promise<void> {
  if (deviceIds.length === 0) return;
  await db
    .deleteFrom('known_devices')
    .where('account_id', '=', accountId)
    .where('device_id', 'in', [...deviceIds])
    .execute();
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
  const rows = await db
    .selectFrom('known_devices')
    .select('device_id')
    .where('account_id', '=', accountId)
    .where('first_seen_at', '<', at)
    .execute();
  return new Set(rows.map((r) => r.device_id));
}

export interface DeviceStanding {
  /** The account has signed in from some browser before. */
  any: boolean;
  /** When this browser was first seen on the account, null when it is new to it. */
  firstSeenAt: string | null;
  /** This browser is the account's first. */
  isFirst: boolean;
}

const devicesOf = compiledOnce((db: Executor, accountId: string) =>
  db
    .selectFrom('known_devices')
    .select(['device_id', 'first_seen_at'])
    .where('account_id', '=', accountId)
    .orderBy('first_seen_at'),
);

export async function deviceStanding(
  db: Executor,
  accountId: string,
  deviceId: string | null | undefined,
): Promise<DeviceStanding> {
  const rows = await devicesOf(db, accountId);
  const mine = deviceId ? rows.find((row) => row.device_id === deviceId) : undefined;
  return standingOf(mine?.first_seen_at ?? null, rows[0]?.first_seen_at ?? null);
}

/**
 * A browser's standing from when it was first seen on the account (null: never) and when the account's
 * first browser was (null: none yet). Browsers first seen in the same instant are all "first": the order
 * between them means nothing.
 */
export function standingOf(firstSeenAt: string | null, accountFirstAt: string | null): DeviceStanding {
  return {
    any: accountFirstAt !== null,
    firstSeenAt,
    isFirst: firstSeenAt !== null && firstSeenAt === accountFirstAt,
  };
}

export function listKnownDevices(
  db: Executor,
  accountId: string,
): Promise<{ device_id: string; first_seen_at: string }[]> {
  return db
    .selectFrom('known_devices')
    .select(['device_id', 'first_seen_at'])
    .where('account_id', '=', accountId)
    .orderBy('first_seen_at')
    .execute();
}
