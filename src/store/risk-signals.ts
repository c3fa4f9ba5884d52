import { compiledOnce } from './compiled-query.ts';
import type { AtOnce, Executor } from './database.ts';
import { standingOf, type DeviceStanding } from './devices.ts';
import { factorFlagsOf, secondFactorColumns } from './factors.ts';
import type { AccountLocations } from './risk.ts';
import { minuteBucket } from './risk.ts';

/** Everything the risk engine reads about one account and request. */
export interface RiskReads {
  device: DeviceStanding;
  locations: AccountLocations;
  failures: { account: number; address: number; global: number };
  recentChanges: number;
  secondFactors: { totp: boolean; passkey: boolean };
}

export interface RiskReadKeys {
  accountId: string;
  deviceId: string | null;
  /** The failure counters' keys: the account's, the client address's, the shop's. */
  failureKeys: { account: string; address: string; global: string };
  failuresFrom: string;
  changesSince: string;
}

// One row of scalar reads, joined to the account's known places (one row per country, at least one row).
const riskReads = compiledOnce(
  (
    db: Executor,
    accountId: string,
    deviceId: string | null,
    accountKey: string,
    addressKey: string,
    globalKey: string,
    fromBucket: string,
    changesSince: string,
  ) => {
    const scalars = db.selectNoFrom((eb) => {
      const failuresOf = (key: string) =>
        eb
          .selectFrom('risk_counters')
          .select((c) => c.fn.sum<number | string | null>('count').as('total'))
          .where('key', '=', key)
          .where('bucket', '>=', fromBucket);
      return [
        eb
          .selectFrom('known_devices')
          .select('first_seen_at')
          .where('account_id', '=', accountId)
          .where('device_id', '=', deviceId)
          .as('device_first_seen'),
        eb
          .selectFrom('known_devices')
          .select((d) => d.fn.min<string | null>('first_seen_at').as('first'))
          .where('account_id', '=', accountId)
          .as('first_device_at'),
        failuresOf(accountKey).as('account_failures'),
        failuresOf(addressKey).as('address_failures'),
        failuresOf(globalKey).as('global_failures'),
        // Changes (sign-ins from new browsers aside) since `changesSince`: a burst of them is a signal.
        eb
          .selectFrom('account_log')
          .select((l) => l.fn.countAll<number | string>().as('n'))
          .where('account_id', '=', accountId)
          .where('occurred_at', '>=', changesSince)
          .where('kind', '!=', 'new-device-sign-in')
          .as('recent_changes'),
        ...secondFactorColumns(eb, accountId),
      ];
    });
    return db
      .selectFrom(scalars.as('reads'))
      .leftJoin('account_locations', (join) => join.on('account_locations.account_id', '=', accountId))
      .selectAll('reads')
      .select(['account_locations.country', 'account_locations.last_seen_at']);
  },
);

type RiskReadRow = Awaited<ReturnType<typeof riskReads>>[number];

const riskReadValues = (keys: RiskReadKeys) =>
  [
    keys.accountId,
    keys.deviceId,
    keys.failureKeys.account,
    keys.failureKeys.address,
    keys.failureKeys.global,
    minuteBucket(keys.failuresFrom),
    keys.changesSince,
  ] as const;

/**
 * The browser's standing, the account's known places, the failure windows, the recent changes and the
 * second factors in one statement (issue 29: five reads were five round trips and five lock cycles).
 */
export async function readRiskSignals(db: Executor, keys: RiskReadKeys): Promise<RiskReads> {
  return riskReadsOf(keys, await riskReads(db, ...riskReadValues(keys)));
}

/** The same reads inside sqliteAtOnce's work (the sign-in's own transaction): read there and then. */
export function readRiskSignalsNow(atOnce: AtOnce, keys: RiskReadKeys): RiskReads {
  return riskReadsOf(keys, riskReads.now(atOnce, ...riskReadValues(keys)));
}

function riskReadsOf(keys: RiskReadKeys, rows: RiskReadRow[]): RiskReads {
  const [first] = rows;
  if (!first) throw new Error('readRiskSignals: the scalar row is missing');
  const places = rows
    .filter((row): row is typeof row & { country: string; last_seen_at: string } => row.country !== null)
    .sort((a, b) => (a.last_seen_at < b.last_seen_at ? 1 : a.last_seen_at > b.last_seen_at ? -1 : 0));
  const mine = keys.deviceId ? first.device_first_seen : null;
  const latest = places[0];
  return {
    device: standingOf(mine ?? null, first.first_device_at ?? null),
    locations: {
      countries: places.map((p) => p.country),
      last: latest ? { country: latest.country, at: latest.last_seen_at } : null,
    },
    failures: {
      account: Number(first.account_failures ?? 0),
      address: Number(first.address_failures ?? 0),
      global: Number(first.global_failures ?? 0),
    },
    recentChanges: Number(first.recent_changes ?? 0),
    secondFactors: factorFlagsOf(first),
  };
}
