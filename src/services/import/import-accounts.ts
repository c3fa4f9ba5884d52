import type { LegacyKeyName, LegacyKeys } from '../../platform/legacy-hashes/index.ts';
import { accountIdsByEmails, accountIdsByShopIds, insertShopCustomerIds } from '../../store/imported-accounts.ts';
import type { Executor } from '../../store/database.ts';
import type { ImportDeps } from './deps.ts';
import { checkRow, type CheckedRow, type SourceLine } from './check-row.ts';
import { storeImportKeys, storedKeyNames } from './import-keys.ts';
import { insertNewAccounts } from './new-accounts.ts';

export const IMPORT_BATCH = 500;
/** Rows checked between two turns of the event loop while a batch is being written. */
const YIELD_EVERY = 16;

export interface ImportOptions {
  clientId: string;
  dryRun: boolean;
  /** Shop-wide keys (AUTH_MAGIC, Firebase signer key), given once; kept sealed until no account needs them. */
  keys?: LegacyKeys;
  batch?: number;
  onProgress?: (report: ImportReport) => void;
}

export interface ImportReport {
  rows: number;
  /** New accounts made (in a dry run: that would be made). */
  imported: number;
  /** The shop's id was imported before (a rerun): left as it is. */
  alreadyImported: number;
  /** The address already has a Mamori account: the shop's id is added to it, nothing else changes. */
  existingAddress: number;
  /** The same shop id or address earlier in this file: skipped. */
  duplicates: { line: number; of: string }[];
  refused: { line: number; reason: string }[];
  /** New accounts by password format ("none": imported without one). */
  byFormat: Record<string, number>;
}

/**
 * Imports a shop's customers (issue 26): one transaction per batch, idempotent by the shop's id and then
 * the address, so a run killed halfway is simply run again. No password is hashed and no mail is sent;
 * each new account's log starts with one "imported" entry, the owner's baseline. A dry run checks and
 * counts the same way and writes nothing.
 */
export async function importAccounts(
  deps: ImportDeps,
  lines: AsyncIterable<SourceLine> | Iterable<SourceLine>,
  options: ImportOptions,
): Promise<ImportReport> {
  const report: ImportReport = {
    rows: 0,
    imported: 0,
    alreadyImported: 0,
    existingAddress: 0,
    duplicates: [],
    refused: [],
    byFormat: {},
  };
  if (options.keys && !options.dryRun) await storeImportKeys(deps, options.clientId, options.keys);
  const keysGiven = new Set<LegacyKeyName>([
    ...(Object.keys(options.keys ?? {}) as LegacyKeyName[]),
    ...(await storedKeyNames(deps.db, options.clientId)),
  ]);
  const seenIds = new Set<string>();
  const seenEmails = new Set<string>();
  const size = options.batch ?? IMPORT_BATCH;
  let batch: CheckedRow[] = [];
  const write = async (rows: CheckedRow[]) => {
    if (options.dryRun) await importBatch(deps.db, deps, rows, options.clientId, report, true);
    else await deps.db.transaction().execute((trx) => importBatch(trx, deps, rows, options.clientId, report, false));
    options.onProgress?.(report);
  };
  // The rows of the next batch are checked while the database writes this one (two cores, not one). A
  // batch starts only once the one before is committed, so each still sees what the last one wrote.
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await writing;
    writing = write(rows);
    writing.catch(() => undefined); // not lost: rethrown where `writing` is next awaited
  };
  for await (const source of lines) {
    // Checking is synchronous: let the batch being written reach the database between rows.
    if (report.rows % YIELD_EVERY === 0) await new Promise(setImmediate);
    report.rows += 1;
    const verdict = checkRow(source, keysGiven);
    if (!verdict.ok) {
      report.refused.push({ line: verdict.line, reason: verdict.reason });
      continue;
    }
    const { row, email } = verdict.checked;
    if (seenIds.has(row.shopCustomerId) || seenEmails.has(email)) {
      report.duplicates.push({
        line: source.line,
        of: seenIds.has(row.shopCustomerId) ? `shopCustomerId ${row.shopCustomerId}` : 'email',
      });
      continue;
    }
    seenIds.add(row.shopCustomerId);
    seenEmails.add(email);
    batch.push(verdict.checked);
    if (batch.length >= size) await flush();
  }
  await flush();
  await writing;
  return report;
}

async function importBatch(
  db: Executor,
  deps: ImportDeps,
  rows: CheckedRow[],
  clientId: string,
  report: ImportReport,
  dryRun: boolean,
): Promise<void> {
  const byShopId = await accountIdsByShopIds(
    db,
    clientId,
    rows.map((r) => r.row.shopCustomerId),
  );
  const fresh = rows.filter((r) => !byShopId.has(r.row.shopCustomerId));
  report.alreadyImported += rows.length - fresh.length;
  const byEmail = await accountIdsByEmails(
    db,
    fresh.map((r) => r.email),
  );
  const now = deps.clock.now().toISOString();
  const linked = fresh.filter((r) => byEmail.has(r.email));
  const created = fresh.filter((r) => !byEmail.has(r.email));
  report.existingAddress += linked.length;
  report.imported += created.length;
  for (const r of created) {
    const format = r.hash?.format ?? 'none';
    report.byFormat[format] = (report.byFormat[format] ?? 0) + 1;
  }
  if (dryRun) return;
  await insertShopCustomerIds(
    db,
    linked.map((r) => ({
      client_id: clientId,
      shop_customer_id: r.row.shopCustomerId,
      account_id: byEmail.get(r.email) as string,
      imported_at: now,
    })),
  );
  await insertNewAccounts(db, deps, created, clientId, now);
}
