import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { parse as parseCsv } from 'csv-parse';
import type { Config } from '../config.ts';
import { legacyKeysSchema, type LegacyKeys } from '../platform/legacy-hashes/index.ts';
import { cryptoRandom, systemClock } from '../runtime/clock.ts';
import { secretBoxFor } from '../runtime/service-key.ts';
import type { SourceLine } from '../services/import/check-row.ts';
import { exportAccounts } from '../services/import/export-accounts.ts';
import { importAccounts, type ImportReport } from '../services/import/import-accounts.ts';
import { csvRecordToRow } from '../services/import/csv-row.ts';
import { openStore } from '../store/database.ts';
import { progressReporter, type Progress } from './progress.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { listOidcClients } from '../store/oidc-clients.ts';

const USAGE = `mamori import accounts FILE [--client ID] [--dry-run] [--keys KEYS.json]
       mamori export accounts [FILE] [--client ID]
FILE is JSON Lines (one account per line) or CSV with a header (.csv); the row schema is served at
/api/v1/import-row.schema.json. KEYS.json holds the shop keys some formats need:
{"eccubeAuthMagic": "…"} or {"firebase": {"signerKey": "…", "saltSeparator": "…", "rounds": 8, "memCost": 14}}.`;

const OPTIONS = {
  client: { type: 'string' },
  'dry-run': { type: 'boolean' },
  keys: { type: 'string' },
} as const;

/** Where the file is read up to, for the progress line's ETA (bytes, since rows are not counted ahead). */
interface Position {
  bytes: number;
}

async function* jsonLines(path: string, at: Position): AsyncGenerator<SourceLine> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    at.bytes += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    try {
      yield { line, value: JSON.parse(text) as unknown };
    } catch {
      yield { line, value: null, unreadable: 'not a JSON object (one account per line)' };
    }
  }
}

async function* csvLines(path: string, at: Position): AsyncGenerator<SourceLine> {
  const parser = createReadStream(path).pipe(
    parseCsv({ columns: true, info: true, skip_empty_lines: true, bom: true }),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number; bytes: number };
  }>) {
    at.bytes = info.bytes;
    yield { line: info.lines, value: csvRecordToRow(record) };
  }
}

function summary(report: ImportReport, dryRun: boolean): string[] {
  const lines = [
    `${dryRun ? 'Dry run (nothing was changed): would import' : 'Imported'} ${report.imported.toLocaleString('en')} new accounts from ${report.rows.toLocaleString('en')} rows.`,
    `By password format: ${
      Object.entries(report.byFormat)
        .map(([format, n]) => `${format} ${n}`)
        .join(', ') || '-'
    }`,
    `Already imported (shop id seen before): ${report.alreadyImported}`,
    `Address already in Mamori (the shop's id is added to that account): ${report.existingAddress}`,
    `Duplicates in this file: ${report.duplicates.length}`,
    ...report.duplicates.slice(0, 50).map((d) => `  line ${d.line}: same ${d.of} as an earlier line`),
    `Refused: ${report.refused.length}`,
    ...report.refused.slice(0, 200).map((r) => `  line ${r.line}: ${r.reason}`),
  ];
  return lines;
}

async function clientFor(db: Parameters<typeof listOidcClients>[0], given: string | undefined): Promise<string> {
  const clients = await listOidcClients(db);
  if (given) {
    if (!clients.some((c) => c.client_id === given)) throw new Error(`no client "${given}" (see mamori client list)`);
    return given;
  }
  if (clients.length !== 1) throw new Error('name the shop the customers come from with --client ID');
  return (clients[0] as (typeof clients)[number]).client_id;
}

/** `mamori import accounts …` and `mamori export accounts …` (issue 26). */
export async function importCommand(
  config: Readonly<Config>,
  verb: 'import' | 'export',
  argv: string[],
  write: (line: string) => void,
): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    write(`mamori ${verb}: ${error instanceof Error ? error.message : String(error)}\nUsage: ${USAGE}`);
    return 2;
  }
  const [what, file] = parsed.positionals;
  if (what !== 'accounts' || (verb === 'import' && !file)) {
    write(`Usage: ${USAGE}`);
    return 2;
  }
  const store = openStore(config.databaseUrl);
  try {
    await migrateToLatest(store.db);
    if (verb === 'export') {
      const clients = await listOidcClients(store.db);
      const only = clients.length === 1 ? (clients[0]?.client_id ?? null) : null;
      return await runExport(store.db, parsed.values.client ?? only, file, write);
    }
    let keys: LegacyKeys | undefined;
    let clientId: string;
    try {
      if (parsed.values.keys)
        keys = legacyKeysSchema.parse(JSON.parse(readFileSync(parsed.values.keys, 'utf8')) as unknown);
      clientId = await clientFor(store.db, parsed.values.client);
      statSync(file as string);
    } catch (error) {
      write(`mamori import: ${error instanceof Error ? error.message : String(error)}`);
      return 2;
    }
    const path = file as string;
    const size = statSync(path).size;
    const at: Position = { bytes: 0 };
    const source = path.toLowerCase().endsWith('.csv') ? csvLines(path, at) : jsonLines(path, at);
    const started = Date.now();
    const dryRun = parsed.values['dry-run'] ?? false;
    const reporter = progressReporter(process.stderr, Date.now);
    const where = (r: ImportReport): Progress => ({
      rows: r.rows,
      share: size > 0 ? at.bytes / size : 1,
      seconds: (Date.now() - started) / 1000,
    });
    const deps = { db: store.db, clock: systemClock, random: cryptoRandom, secrets: secretBoxFor(config), config };
    const report = await importAccounts(deps, source, {
      clientId,
      dryRun,
      keys,
      onProgress: (r) => reporter.show(where(r)),
    });
    reporter.done(where(report));
    for (const line of summary(report, dryRun)) write(line);
    return report.refused.length > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

async function runExport(
  db: Parameters<typeof exportAccounts>[0],
  clientId: string | null,
  file: string | undefined,
  write: (line: string) => void,
): Promise<number> {
  const out = file ? createWriteStream(file, { mode: 0o600 }) : process.stdout;
  let n = 0;
  for await (const row of exportAccounts(db, clientId)) {
    if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
    n += 1;
  }
  if (file) {
    out.end();
    await once(out, 'finish');
    write(`Exported ${n.toLocaleString('en')} accounts to ${file}.`);
  }
  return 0;
}
