import { GENESIS_HASH, canonicalEntry } from '../../core/account-log.ts';
import type { ChangeRecord } from '../../core/change-kinds.ts';
import { insertFirstLogEntries } from '../../store/account-log.ts';
import type { Executor } from '../../store/database.ts';
import type { AccountsTable, AddressesTable, PaymentMethodsTable } from '../../store/schema.ts';
import type { Insertable } from 'kysely';
import { insertImportedPasswords, insertShopCustomerIds } from '../../store/imported-accounts.ts';
import { insertImportedShopCustomers } from '../../store/shop-customers.ts';
import { SYSTEM_ACTOR, sha256Hex } from '../account-log/change-log.ts';
import type { ImportDeps } from './deps.ts';
import type { CheckedRow } from './check-row.ts';

/** Rows per INSERT: well under SQLite's and PostgreSQL's bound on parameters in one statement. */
const CHUNK = 400;

async function inChunks<T>(rows: readonly T[], write: (chunk: readonly T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

/**
 * Writes a batch of new imported accounts with a few multi-row INSERTs (no hashing, no mail). Each account
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
      id: deps.random.id(),
      accountId: id,
      seq: 1,
      kind: 'imported',
      subjectId: clientId,
      before: null,
      after: {
        clientId,
        shopCustomerId: row.shopCustomerId,
        email,
        emailVerified: row.emailVerified ? 1 : 0,
        name: row.name,
        phone: row.phone ?? null,
        addresses: addressIds.join(','),
        paymentMethods: cardIds.join(','),
        passwordFormat: hash?.format ?? null,
        createdAt,
        lastSignInAt: row.lastSignInAt ?? null,
        ...(source ? { source } : {}),
      },
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
  await inChunks(accounts, (chunk) =>
    db
      .insertInto('accounts')
      .values(chunk)
      .execute()
      .then(() => undefined),
  );
  await inChunks(addresses, (chunk) =>
    db
      .insertInto('addresses')
      .values(chunk)
      .execute()
      .then(() => undefined),
  );
  await inChunks(cards, (chunk) =>
    db
      .insertInto('payment_methods')
      .values(chunk)
      .execute()
      .then(() => undefined),
  );
  await inChunks(entries, (chunk) => insertFirstLogEntries(db, chunk));
  const byAccount = accounts.map((a, i) => ({ account: a.id, checked: rows[i] as CheckedRow }));
  await insertShopCustomerIds(
    db,
    byAccount.map(({ account, checked }) => ({
      client_id: clientId,
      shop_customer_id: checked.row.shopCustomerId,
      account_id: account,
      imported_at: now,
    })),
  );
  // The shop these accounts came from hears of them from the start (migration 0021).
  await insertImportedShopCustomers(
    db,
    clientId,
    accounts.map((a) => a.id),
    now,
  );
  await insertImportedPasswords(
    db,
    byAccount.map(({ account, checked }) => ({
      account_id: account,
      client_id: clientId,
      format: checked.hash?.format ?? null,
      hash: checked.hash?.hash ?? null,
      salt: checked.hash?.salt ?? null,
      imported_at: now,
    })),
  );
}
