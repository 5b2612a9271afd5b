import { parse } from 'csv-parse/sync';
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

export function parseDigitalOceanCsv(csv: string): InvoiceLine[] {
  const [header, ...rows] = parseRecords(csv);
  if (header === undefined) {
    throw new Error(`DigitalOcean CSV is empty: expected the header ${DIGITALOCEAN_CSV_COLUMNS.join(',')}`);
  }
  const columns = indexHeader(header.record);
  return rows.map((row, index) => toLine(row, index + 1, columns, header.record.length));
}

function parseRecords(csv: string): ParsedRecord[] {
  try {
    // Column counts are checked in toLine, not by csv-parse, so the error can name the data row. The
    // cast is needed because csv-parse's sync typings do not model `info: true` ({ record, info }).
    const options = { bom: true, info: true, skip_empty_lines: true, relax_column_count: true };
    return parse(csv, options) as unknown as ParsedRecord[];
  } catch (error) {
    throw new Error(`DigitalOcean CSV is not valid CSV: ${(error as Error).message}`, { cause: error });
  }
}

/** Finds each expected column by name; extra columns are ignored, missing or doubled ones are fatal. */
function indexHeader(header: readonly string[]): ColumnIndex {
  const names = header.map((name) => name.trim());
  const index = {} as Record<Column, number>;
  for (const column of DIGITALOCEAN_CSV_COLUMNS) {
    const position = names.indexOf(column);
    if (position === -1) {
      throw new Error(`DigitalOcean CSV header (line 1) lacks column "${column}"; found: ${names.join(',')}`);
    }
    if (names.indexOf(column, position + 1) !== -1) {
      throw new Error(`DigitalOcean CSV header (line 1) has column "${column}" more than once`);
    }
    index[column] = position;
  }
  return index;
}

function toLine(row: ParsedRecord, rowNumber: number, columns: ColumnIndex, width: number): InvoiceLine {
  const where = `data row ${rowNumber} (line ${row.info.lines})`;
  if (row.record.length !== width) {
    throw new Error(`DigitalOcean CSV ${where} has ${row.record.length} fields, expected ${width}`);
  }
  const field = (column: Column): string => (row.record[columns[column]] ?? '').trim();
  const description = field('description') || field('group_description') || field('product');
  if (description === '') {
    throw new Error(`DigitalOcean CSV ${where} has no description, group_description or product`);
  }
  let amountMinor: number;
  try {
    amountMinor = parseUsdToCents(field('USD'));
  } catch (error) {
    throw new Error(`DigitalOcean CSV ${where}, column "USD": ${(error as Error).message}`, { cause: error });
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

/** "12.5" → 1250, "-3.00" → -300, "$1,234.56" → 123456. Throws on anything else, including 3+ decimals. */
export function parseUsdToCents(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('amount is empty');
  const match = USD_AMOUNT.exec(trimmed);
  const { before = '', after = '', units = '', cents = '' } = match?.groups ?? {};
  if (match === null || (before !== '' && after !== '')) {
    throw new Error(`${JSON.stringify(trimmed)} is not a dollar amount like 12.34`);
  }
  if (cents.length > 2) {
    throw new Error(`${JSON.stringify(trimmed)} has more than 2 decimals; cents are the smallest unit`);
  }
  const magnitude = BigInt(units.replaceAll(',', '')) * 100n + BigInt(cents.padEnd(2, '0'));
  const value = before === '-' || after === '-' ? -magnitude : magnitude;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new Error(`${JSON.stringify(trimmed)} is too large to hold exactly in cents`);
  }
  return Number(value);
}
