import { GENESIS_HASH, canonicalEntry } from '../../core/account-log.ts';
import type { ChangeRecord, ChangeValue } from '../../core/change-kinds.ts';
import { firstLogEntryRows } from '../../store/account-log.ts';
import type { Executor } from '../../store/database.ts';
import type { AccountsTable, AddressesTable, PaymentMethodsTable } from '../../store/schema.ts';
import type { Insertable } from 'kysely';
import { bulkInsertAll, bulkRows, type BulkColumns } from '../../store/bulk-insert.ts';
import { importedPasswordRows, shopCustomerIdRows } from '../../store/imported-accounts.ts';
import { importedShopCustomerRows } from '../../store/shop-customers.ts';
import { SYSTEM_ACTOR, sha256Hex } from '../account-log/change-log.ts';
import type { ImportDeps } from './deps.ts';
import type { CheckedRow } from './check-row.ts';

const ACCOUNT_COLUMNS: BulkColumns<'accounts'> = {
  id: 'text',
  email: 'text',
  email_verified_at: 'text',
  password_hash: 'text',
  password_disabled_at: 'text',
  name: 'text',
  phone: 'text',
  locale: 'text',
  status: 'text',
  created_at: 'text',
  updated_at: 'text',
  log_seq: 'integer',
  log_head: 'text',
};
const ADDRESS_COLUMNS: BulkColumns<'addresses'> = {
  id: 'text',
  account_id: 'text',
  recipient: 'text',
  postal_code: 'text',
  region: 'text',
  city: 'text',
  line1: 'text',
  line2: 'text',
  country: 'text',
  created_at: 'text',
  removed_at: 'text',
};
const CARD_COLUMNS: BulkColumns<'payment_methods'> = {
  id: 'text',
  account_id: 'text',
  processor_token: 'text',
  brand: 'text',
  last4: 'text',
  exp_month: 'integer',
  exp_year: 'integer',
  created_at: 'text',
  removed_at: 'text',
};

/**
 * The "imported" entry's values without what was not given: no nulls, no empty lists, no creation time
 * when it is the import's own. The shop is the entry's subject, so it is not repeated here.
 */
function presentOnly(values: Record<string, string | number | null | undefined>): ChangeValue {
  const present: ChangeValue = {};
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== null && value !== '') present[key] = value;
  return present;
}

/**
 * Writes a batch of new imported accounts with one INSERT per table (see bulkInsert) (no hashing, no mail). Each account
 * is inserted with its log head already on its one "imported" entry, which holds what was imported: that
 * entry is the owner's baseline, so an undo after a takeover puts back these values.
 */
export async function insertNewAccounts(
  db: Executor,
  deps: ImportDeps,
  rows: readonly CheckedRow[],
  clientId: string,
  now: string,
  /** Where the accounts came from when not from a file or the API: named in each "imported" entry. */
  source?: string,
): Promise<void> {
  const accounts: Insertable<AccountsTable>[] = [];
  const addresses: Insertable<AddressesTable>[] = [];
  const cards: Insertable<PaymentMethodsTable>[] = [];
  const entries: { record: ChangeRecord; previousHash: string; hash: string }[] = [];
  for (const { row, email, hash } of rows) {
    const id = deps.random.id();
    const createdAt = row.createdAt ? new Date(row.createdAt).toISOString() : now;
    const addressIds = row.addresses.map((a) => {
      const addressId = deps.random.id();
      addresses.push({
        id: addressId,
        account_id: id,
        recipient: a.recipient,
        postal_code: a.postalCode,
        region: a.region,
        city: a.city,
        line1: a.line1,
        line2: a.line2 ?? null,
        country: a.country,
        created_at: createdAt,
        removed_at: null,
      });
      return addressId;
    });
    const cardIds = row.paymentMethods.map((p) => {
      const cardId = deps.random.id();
      cards.push({
        id: cardId,
        account_id: id,
        processor_token: p.processorToken,
        brand: p.brand,
        last4: p.last4,
        exp_month: p.expMonth,
        exp_year: p.expYear,
        created_at: createdAt,
        removed_at: null,
      });
      return cardId;
    });
    const record: ChangeRecord = {
      // Time-ordered: 500 entries a batch land at the end of the primary key, not on ~500 of its pages
      // (after a checkpoint each page first touched is written whole to the WAL).
      id: deps.random.orderedId(),
      accountId: id,
      seq: 1,
      kind: 'imported',
      subjectId: clientId,
      before: null,
      after: presentOnly({
        shopCustomerId: row.shopCustomerId,
        email,
        emailVerified: row.emailVerified ? 1 : 0,
        name: row.name,
        phone: row.phone,
        addresses: addressIds.join(','),
        paymentMethods: cardIds.join(','),
        passwordFormat: hash?.format,
        createdAt: row.createdAt ? createdAt : undefined,
        lastSignInAt: row.lastSignInAt,
        source,
      }),
      actor: SYSTEM_ACTOR,
      occurredAt: now,
    };
    const entryHash = sha256Hex(canonicalEntry(record, GENESIS_HASH));
    entries.push({ record, previousHash: GENESIS_HASH, hash: entryHash });
    accounts.push({
      id,
      email,
      email_verified_at: row.emailVerified ? createdAt : null,
      password_hash: null,
      password_disabled_at: null,
      name: row.name,
      phone: row.phone ?? null,
      locale: row.locale ?? deps.config.defaultLocale,
      status: 'active',
      created_at: createdAt,
      updated_at: now,
      log_seq: 1,
      log_head: entryHash,
    });
  }
  const byAccount = accounts.map((a, i) => ({ account: a.id, checked: rows[i] as CheckedRow }));
  // One statement on PostgreSQL: each account's id and its entry's hash go once for every table.
  await bulkInsertAll(db, [
    bulkRows('accounts', ACCOUNT_COLUMNS, accounts),
    bulkRows('addresses', ADDRESS_COLUMNS, addresses),
    bulkRows('payment_methods', CARD_COLUMNS, cards),
    firstLogEntryRows(entries),
    shopCustomerIdRows(
      byAccount.map(({ account, checked }) => ({
        client_id: clientId,
        shop_customer_id: checked.row.shopCustomerId,
        account_id: account,
        imported_at: now,
      })),
    ),
    // The shop these accounts came from hears of them from the start (migration 0021).
    importedShopCustomerRows(
      clientId,
      accounts.map((a) => a.id),
      now,
    ),
    importedPasswordRows(
      byAccount.map(({ account, checked }) => ({
        account_id: account,
        client_id: clientId,
        format: checked.hash?.format ?? null,
        hash: checked.hash?.hash ?? null,
        salt: checked.hash?.salt ?? null,
        imported_at: now,
      })),
    ),
  ]);
}
