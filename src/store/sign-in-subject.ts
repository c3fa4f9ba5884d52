import type { AccountRow } from './accounts.ts';
import { compiledOnce } from './compiled-query.ts';
import type { Executor } from './database.ts';
import { standingOf, type DeviceStanding } from './devices.ts';
import type { ThrottleRow } from './sign-in-throttle.ts';

// One row whether or not the address has an account: the throttles' scalars, the account left-joined to
// them, and this browser's standing with it (null columns without an account).
const subjectRow = compiledOnce(
  (db: Executor, email: string, deviceId: string | null, accountKey: string, addressKey: string) => {
    const throttles = db.selectNoFrom((eb) => {
      const failures = (key: string) => eb.selectFrom('sign_in_throttle').select('failures').where('key', '=', key);
      const blockedUntil = (key: string) =>
        eb.selectFrom('sign_in_throttle').select('blocked_until').where('key', '=', key);
      return [
        failures(accountKey).as('account_failures'),
        blockedUntil(accountKey).as('account_blocked_until'),
        failures(addressKey).as('address_failures'),
        blockedUntil(addressKey).as('address_blocked_until'),
      ];
    });
    return db
      .selectFrom(throttles.as('throttles'))
      .leftJoin('accounts', (join) => join.on('accounts.email', '=', email))
      .selectAll('throttles')
      .selectAll('accounts')
      .select((eb) => [
        eb
          .selectFrom('known_devices')
          .select('first_seen_at')
          .whereRef('known_devices.account_id', '=', 'accounts.id')
          .where('known_devices.device_id', '=', deviceId)
          .as('device_first_seen'),
        eb
          .selectFrom('known_devices')
          .select((d) => d.fn.min<string | null>('first_seen_at').as('first'))
          .whereRef('known_devices.account_id', '=', 'accounts.id')
          .as('first_device_at'),
      ]);
  },
);

export interface SubjectReads {
  account: AccountRow | undefined;
  /** Null without an account or without a device cookie. */
  device: DeviceStanding | null;
  /** The account's and the client address's throttle rows, by key; missing keys are absent. */
  throttles: Map<string, ThrottleRow>;
}

/**
 * The account an address names, this browser's standing with it, and the throttles of the address and the
 * client, in one statement that costs the same whether or not the account exists (issue 29).
 */
export async function readSubject(
  db: Executor,
  email: string,
  deviceId: string | null,
  throttleKeys: { account: string; address: string },
): Promise<SubjectReads> {
  const [row] = await subjectRow(db, email, deviceId, throttleKeys.account, throttleKeys.address);
  if (!row) throw new Error('readSubject: the throttle row is missing');
  const throttles = new Map<string, ThrottleRow>();
  if (row.account_failures !== null)
    throttles.set(throttleKeys.account, {
      failures: Number(row.account_failures),
      blockedUntil: row.account_blocked_until,
    });
  if (row.address_failures !== null)
    throttles.set(throttleKeys.address, {
      failures: Number(row.address_failures),
      blockedUntil: row.address_blocked_until,
    });
  const account = row.id === null ? undefined : accountFrom(row as unknown as AccountRow);
  const { device_first_seen, first_device_at } = row;
  const device = account && deviceId ? standingOf(device_first_seen ?? null, first_device_at ?? null) : null;
  return { account, device, throttles };
}

/**
 * The account's own columns, named one by one: copying the row without the other reads (a rest pattern)
 * took a fifth of this read in V8's slow path. A column added to the table fails to compile here.
 */
function accountFrom(row: AccountRow): AccountRow {
  return {
    id: row.id,
    email: row.email,
    email_verified_at: row.email_verified_at,
    password_hash: row.password_hash,
    password_disabled_at: row.password_disabled_at,
    name: row.name,
    phone: row.phone,
    locale: row.locale,
    status: row.status,
    created_at: row.created_at,
    updated_at: row.updated_at,
    log_seq: row.log_seq,
    log_head: row.log_head,
    irreversible_hold_until: row.irreversible_hold_until,
    password_upgrade: row.password_upgrade,
  };
}
