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
/** Batches written at once, each in its own transaction. */
const WRITES_AT_ONCE = 2;

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
  const seen = { ids: new Set<string>(), emails: new Set<string>() };
  const size = options.batch ?? IMPORT_BATCH;
  let batch: CheckedRow[] = [];
  const write = async (rows: CheckedRow[]) => {
    if (options.dryRun) await importBatch(deps.db, deps, rows, options.clientId, report, true);
    else await deps.db.transaction().execute((trx) => importBatch(trx, deps, rows, options.clientId, report, false));
    options.onProgress?.(report);
  };
  // The rows of the next batch are checked while the database writes the batches before it, two at a
  // time on two connections (two cores for PostgreSQL, one for checking). No batch needs to see another's
  // rows: ids and addresses repeated in the file never leave this loop, so batches never overlap.
  const writing: Promise<void>[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    if (writing.length >= WRITES_AT_ONCE) await writing.shift();
    const written = write(rows);
    written.catch(() => undefined); // not lost: rethrown where it is awaited
    writing.push(written);
  };
  try {
    for await (const source of lines) {
      // Checking is synchronous: let the batches being written reach the database between rows.
      if (report.rows % YIELD_EVERY === 0) await new Promise(setImmediate);
      report.rows += 1;
      const checked = acceptRow(source, keysGiven, seen, report);
      if (!checked) continue;
      batch.push(checked);
      if (batch.length >= size) await flush();
    }
    await flush();
    for (const written of writing) await written;
  } catch (error) {
    // Nothing of this import is still being written once it has failed (the rerun starts from what is committed).
    await Promise.allSettled(writing);
    throw error;
  }
  return report;
}

/** The row checked, or null once it is counted as refused or as a duplicate of an earlier line. */
function acceptRow(
  source: SourceLine,
  keysGiven: ReadonlySet<LegacyKeyName>,
  seen: { ids: Set<string>; emails: Set<string> },
  report: ImportReport,
): CheckedRow | null {
  const verdict = checkRow(source, keysGiven);
  if (!verdict.ok) {
    report.refused.push({ line: verdict.line, reason: verdict.reason });
    return null;
  }
  const { row, email } = verdict.checked;
  if (seen.ids.has(row.shopCustomerId) || seen.emails.has(email)) {
    report.duplicates.push({
      line: source.line,
      of: seen.ids.has(row.shopCustomerId) ? `shopCustomerId ${row.shopCustomerId}` : 'email',
    });
    return null;
  }
  seen.ids.add(row.shopCustomerId);
  seen.emails.add(email);
  return verdict.checked;
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
