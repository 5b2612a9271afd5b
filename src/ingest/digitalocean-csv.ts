import { parse } from 'csv-parse/sync';
import { isSyncError, SyncError } from '../failures/errors.ts';
import type { InvoiceLine } from '../invoice/invoice-events.ts';

/**
 * Reads a DigitalOcean invoice CSV export into invoice lines. Input is the file's text (no I/O here).
 * Amounts are read as decimal strings straight into integer cents: a float never touches money.
 */
export const DIGITALOCEAN_CSV_COLUMNS = Object.freeze([
  'product',
  'group_description',
  'description',
  'hours',
  'start',
  'end',
  'USD',
  'project_name',
  'category',
] as const);

type Column = (typeof DIGITALOCEAN_CSV_COLUMNS)[number];
type ColumnIndex = Readonly<Record<Column, number>>;

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/**
 * The lines of the export. `file` names it in errors, which all are `INGEST_INPUT_INVALID` with the
 * message `<file>:<line>: <reason>` (the form editors and terminals jump to) and the same in `details`.
 */
export function parseDigitalOceanCsv(csv: string, file = 'DigitalOcean CSV'): InvoiceLine[] {
  const [header, ...rows] = parseRecords(csv, file);
  if (header === undefined) {
    throw invalidCsv(file, 1, `empty: expected the header ${DIGITALOCEAN_CSV_COLUMNS.join(',')}`);
  }
  const columns = indexHeader(header.record, file);
  return rows.map((row) => toLine(row, file, columns, header.record.length));
}

function invalidCsv(file: string, line: number, reason: string, cause?: unknown): SyncError {
  return new SyncError('INGEST_INPUT_INVALID', `${file}:${line}: ${reason}`, {
    details: { file, line, reason },
    cause,
  });
}

function parseRecords(csv: string, file: string): ParsedRecord[] {
  try {
    // Column counts are checked in toLine, not by csv-parse, so the error can name the data row. The
    // cast is needed because csv-parse's sync typings do not model `info: true` ({ record, info }).
    const options = { bom: true, info: true, skip_empty_lines: true, relax_column_count: true };
    return parse(csv, options) as unknown as ParsedRecord[];
  } catch (error) {
    // csv-parse's CsvError carries the line it stopped at; anything else is not the input's fault.
    const line = (error as { lines?: unknown }).lines;
    if (typeof line !== 'number') throw error;
    throw invalidCsv(file, line, `not valid CSV: ${(error as Error).message}`, error);
  }
}

/** Finds each expected column by name; extra columns are ignored, missing or doubled ones are fatal. */
function indexHeader(header: readonly string[], file: string): ColumnIndex {
  const names = header.map((name) => name.trim());
  const index = {} as Record<Column, number>;
  for (const column of DIGITALOCEAN_CSV_COLUMNS) {
    const position = names.indexOf(column);
    if (position === -1) {
      throw invalidCsv(file, 1, `the header lacks column "${column}"; found: ${names.join(',')}`);
    }
    if (names.indexOf(column, position + 1) !== -1) {
      throw invalidCsv(file, 1, `the header has column "${column}" more than once`);
    }
    index[column] = position;
  }
  return index;
}

function toLine(row: ParsedRecord, file: string, columns: ColumnIndex, width: number): InvoiceLine {
  // csv-parse counts the line a record ends on: the line itself, unless a quoted field spans lines.
  const line = row.info.lines;
  if (row.record.length !== width) {
    throw invalidCsv(file, line, `${row.record.length} fields, expected ${width} as in the header`);
  }
  const field = (column: Column): string => (row.record[columns[column]] ?? '').trim();
  const description = field('description') || field('group_description') || field('product');
  if (description === '') {
    throw invalidCsv(file, line, 'no description, group_description or product');
  }
  let amountMinor: number;
  try {
    amountMinor = parseUsdToCents(field('USD'));
  } catch (error) {
    if (!isSyncError(error)) throw error;
    throw invalidCsv(file, line, `column "USD": ${error.message}`, error);
  }
  return {
    description,
    amount_minor: amountMinor,
    product: field('product') || null,
    // DigitalOcean descriptions name resources (e.g. "web-01 (s-1vcpu-1gb)") but carry no stable id.
    resource_id: null,
    project: field('project_name') || null,
  };
}

// Optional minus before or after the dollar sign, thousands separators only in groups of three.
const USD_AMOUNT = /^(?<before>-?)\$?(?<after>-?)(?<units>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?<cents>\d+))?$/;

/**
 * "12.5" → 1250, "-3.00" → -300, "$1,234.56" → 123456. Anything else, 3+ decimals included, is an
 * `INGEST_INPUT_INVALID` whose message is the reason alone (the caller knows the file and line).
 */
export function parseUsdToCents(text: string): number {
  const trimmed = text.trim();
  const bad = (reason: string) =>
    new SyncError('INGEST_INPUT_INVALID', reason, { details: { amount: trimmed } });
  if (trimmed === '') throw bad('amount is empty');
  const match = USD_AMOUNT.exec(trimmed);
  const { before = '', after = '', units = '', cents = '' } = match?.groups ?? {};
  if (match === null || (before !== '' && after !== '')) {
    throw bad(`${JSON.stringify(trimmed)} is not a dollar amount like 12.34`);
  }
  if (cents.length > 2) {
    throw bad(`${JSON.stringify(trimmed)} has more than 2 decimals; cents are the smallest unit`);
  }
  const magnitude = BigInt(units.replaceAll(',', '')) * 100n + BigInt(cents.padEnd(2, '0'));
  const value = before === '-' || after === '-' ? -magnitude : magnitude;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw bad(`${JSON.stringify(trimmed)} is too large to hold exactly in cents`);
  }
  return Number(value);
}
