/**
 * A CSV import has one column per plain field of the import row and flattens the password into
 * passwordFormat, passwordHash and passwordSalt; addresses and paymentMethods, when present, hold
 * JSON arrays. Empty cells are left out, so the row schema applies its defaults.
 */
const JSON_COLUMNS = new Set(['addresses', 'paymentMethods']);

export function csvRecordToRow(record: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(record)) {
    if (cell === '' || column.startsWith('password')) continue;
    if (JSON_COLUMNS.has(column)) {
      try {
        row[column] = JSON.parse(cell) as unknown;
      } catch {
        row[column] = cell;
      }
    } else if (column === 'emailVerified') {
      row[column] = ['true', '1', 'yes'].includes(cell.trim().toLowerCase());
    } else row[column] = cell;
  }
  if (record.passwordHash)
    row.password = {
      format: record.passwordFormat ?? '',
      hash: record.passwordHash,
      ...(record.passwordSalt ? { salt: record.passwordSalt } : {}),
    };
  return row;
}
