import { daysToIsoDate } from '../invoice/calendar-date.ts';
import type { InvoiceLinesIngested } from '../invoice/invoice-events.ts';
import { type DeadLetterView, sourceText } from './dead-letter-view.ts';
import { isoTime, printableLine } from './display-text.ts';

/** The value of a dead letter, decoded through the registry, or why that was not possible. */
export type DecodedValue =
  | { decoded: true; schemaId: number; as: string; value: unknown }
  | { decoded: false; reason: string };

const PREVIEW_BYTES = 64; // enough to recognise JSON, text or a wrong magic byte

/** The whole `dlq show` text: coordinates, reason, headers, key, and the value as far as it reads. */
export function formatDetails(view: DeadLetterView, value: DecodedValue): string {
  // A value's own lines (a stack trace) are indented under its name: no header can pass for a field.
  const indented = (text: string) => text.replaceAll('\n', '\n    ');
  const headerLines = Object.entries(view.headers).map(([name, text]) => `  ${name}: ${indented(text)}`);
  return [
    `dead letter  ${view.topic} ${view.partition}:${view.offset}, failed ${isoTime(view.failedAt)}`,
    `source       ${sourceText(view)}`,
    `error        ${printableLine(view.errorCode)}`,
    `reason       ${indented(view.reason)}`,
    `key          ${view.key === null ? '(no key)' : printableLine(view.key)}`,
    'headers',
    ...(headerLines.length > 0 ? headerLines : ['  (none)']),
    ...valueLines(view.value, value),
  ].join('\n');
}

function valueLines(bytes: Buffer | null, value: DecodedValue): string[] {
  const size = bytes === null ? 'null' : `${bytes.length} bytes`;
  if (!value.decoded) {
    return [`value        ${size}, not decoded: ${value.reason}`, ...previewLines(bytes)];
  }
  // A long the codec could not hold as a number comes as a bigint, which JSON.stringify throws on.
  const json = JSON.stringify(value.value, (_, v) => (typeof v === 'bigint' ? String(v) : v), 2).split('\n');
  return [
    `value        ${size}, schema id ${value.schemaId}, read as ${value.as}`,
    ...(value.as === 'InvoiceLinesIngested' ? [`  ${invoiceGist(value.value as InvoiceLinesIngested)}`] : []),
    ...json.map((line) => `  ${line}`),
  ];
}

/** The figures an operator checks first: which invoice, which month, stated total against the lines. */
export function invoiceGist(event: InvoiceLinesIngested): string {
  const sum = event.lines.reduce((total, line) => total + line.amount_minor, 0);
  return [
    `${event.provider_invoice_id} of ${event.tenant_id} (${event.provider}),`,
    `period ${periodText(event.invoice_period)},`,
    `total_minor ${event.total_minor} ${event.currency},`,
    `${event.lines.length} lines summing to ${sum}`,
  ].join(' ');
}

// A dead letter may be one because its date is impossible: Dates end 100,000,000 days from 1970.
const MAX_DATE_DAYS = 100_000_000;

function periodText(days: number): string {
  return Number.isSafeInteger(days) && Math.abs(days) <= MAX_DATE_DAYS
    ? daysToIsoDate(days)
    : `day ${days} (no calendar date)`;
}

/** The first bytes as text (non-printables as `.`) and as hex. */
export function previewLines(bytes: Buffer | null): string[] {
  if (bytes === null || bytes.length === 0) return [];
  const head = bytes.subarray(0, PREVIEW_BYTES);
  const more = bytes.length > PREVIEW_BYTES ? '…' : '';
  const text = head.toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return [`  text  ${text}${more}`, `  hex   ${head.toString('hex')}${more}`];
}
