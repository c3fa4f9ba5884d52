import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Db } from './database.ts';
import * as foundation from './migrations/0001-foundation.ts';
import * as accountLogAndIncidents from './migrations/0002-account-log-and-incidents.ts';
import * as secondFactors from './migrations/0003-second-factors.ts';
import * as signInThrottle from './migrations/0004-sign-in-throttle.ts';
import * as riskPasskeysHolds from './migrations/0005-risk-passkeys-holds.ts';
import * as supportDesk from './migrations/0006-support-desk.ts';
import * as recoveryCodesVoided from './migrations/0007-recovery-codes-voided.ts';
import * as ownerStaysOwner from './migrations/0008-owner-stays-owner.ts';
import * as delayedChanges from './migrations/0009-delayed-changes.ts';
import * as oidcPayloads from './migrations/0010-oidc-payloads.ts';
import * as oidcClientsKeys from './migrations/0011-oidc-clients-keys.ts';
import * as oidcPartialIndexes from './migrations/0012-oidc-partial-indexes.ts';
import * as ssfStreams from './migrations/0013-ssf-streams.ts';
import * as shopUndoRequests from './migrations/0014-shop-undo-requests.ts';
import * as oneCurrentSigningKey from './migrations/0015-one-current-signing-key.ts';
import * as sessionsRoomForTouches from './migrations/0016-sessions-room-for-touches.ts';
import * as shopCustomers from './migrations/0017-shop-customers.ts';
import * as heldOrderDecisions from './migrations/0018-held-order-decisions.ts';
import * as ownershipProof from './migrations/0019-ownership-proof.ts';
import * as importedAccounts from './migrations/0020-imported-accounts.ts';
import * as clientBranding from './migrations/0021-client-branding.ts';
import * as passwordUpgrade from './migrations/0022-password-upgrade.ts';
import * as importedShopCustomers from './migrations/0023-imported-shop-customers.ts';
import * as importedPasswordsKeyedIndex from './migrations/0024-imported-passwords-keyed-index.ts';
import * as riskDecisionsByAccount from './migrations/0025-risk-decisions-by-account.ts';

/** Migrations are listed in code (not read from a folder) so they run the same under tsx and in tests. */
const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-account-log-and-incidents': accountLogAndIncidents,
  '0003-second-factors': secondFactors,
  '0004-sign-in-throttle': signInThrottle,
  '0005-risk-passkeys-holds': riskPasskeysHolds,
  '0006-support-desk': supportDesk,
  '0007-recovery-codes-voided': recoveryCodesVoided,
  '0008-owner-stays-owner': ownerStaysOwner,
  '0009-delayed-changes': delayedChanges,
  '0010-oidc-payloads': oidcPayloads,
  '0011-oidc-clients-keys': oidcClientsKeys,
  '0012-oidc-partial-indexes': oidcPartialIndexes,
  '0013-ssf-streams': ssfStreams,
  '0014-shop-undo-requests': shopUndoRequests,
  '0015-one-current-signing-key': oneCurrentSigningKey,
  '0016-sessions-room-for-touches': sessionsRoomForTouches,
  '0017-shop-customers': shopCustomers,
  '0018-held-order-decisions': heldOrderDecisions,
  '0019-ownership-proof': ownershipProof,
  '0020-imported-accounts': importedAccounts,
  '0021-client-branding': clientBranding,
  '0022-password-upgrade': passwordUpgrade,
  '0023-imported-shop-customers': importedShopCustomers,
  '0024-imported-passwords-keyed-index': importedPasswordsKeyedIndex,
  '0025-risk-decisions-by-account': riskDecisionsByAccount,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const result = await new Migrator({ db, provider }).migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
  return result;
}

/** Up to and including `name` only: a migration's test writes rows the way the version before it did. */
export async function migrateUpTo(db: Db, name: string): Promise<MigrationResultSet> {
  const result = await new Migrator({ db, provider }).migrateTo(name);
  if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
  return result;
}
