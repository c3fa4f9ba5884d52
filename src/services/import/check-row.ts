import { normalizeEmail } from '../../core/email-address.ts';
import {
  neededKey,
  parseImportedHash,
  type ImportedHash,
  type LegacyKeyName,
} from '../../platform/legacy-hashes/index.ts';
import { importRow, type ImportRow } from './import-row.ts';

/** One line of the file as read: its number (1-based, as an editor shows it) and its parsed value. */
export interface SourceLine {
  line: number;
  value: unknown;
  /** Why the line could not be read at all (not JSON, say): it is refused with this reason. */
  unreadable?: string;
}

export interface CheckedRow {
  line: number;
  row: ImportRow;
  email: string;
  /** null: imported without a password (she is offered a link at sign-in). */
  hash: ImportedHash | null;
}

export type RowVerdict = { ok: true; checked: CheckedRow } | { ok: false; line: number; reason: string };

/**
 * Checks one line against the import row schema and its hash against its format: the reason names the
 * field, so an operator can fix the export. A hash needing a shop key that was not given is refused too,
 * since nobody could ever sign in with it.
 */
export function checkRow(source: SourceLine, keysGiven: ReadonlySet<LegacyKeyName>): RowVerdict {
  if (source.unreadable) return { ok: false, line: source.line, reason: source.unreadable };
  const parsed = importRow.safeParse(source.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, line: source.line, reason: `${where}${issue?.message ?? 'not an import row'}` };
  }
  const row = parsed.data;
  let hash: ImportedHash | null = null;
  if (row.password) {
    const result = parseImportedHash(row.password.format, row.password.hash, row.password.salt);
    if (!result.ok)
      return { ok: false, line: source.line, reason: `password: ${result.refusal.code} (${result.refusal.detail})` };
    hash = result.hash;
    const key = neededKey(hash);
    if (key && !keysGiven.has(key))
      return { ok: false, line: source.line, reason: `password: ${row.password.format} needs the shop key "${key}"` };
  }
  return { ok: true, checked: { line: source.line, row, email: normalizeEmail(row.email), hash } };
}
