import { SyncError } from '../failures/errors.ts';
import { daysToIsoDate, yearOfDays } from './calendar-date.ts';
import type { LineKind } from './finance-payload.ts';
import { type InvoiceLinesIngested, invoiceKey } from './invoice-events.ts';
import { requireValidIdentifiers } from './invoice-identity.ts';

/**
 * Checks an `invoice.lines_ingested` event before anything is sent to finance. Every failure is a
 * permanent `SyncError` whose message says what to fix and whose details name the invoice and the
 * figures, because a dead-lettered invoice is read by a person, not retried.
 */
export interface InvoiceTotals {
  gross: number;
  tax: number;
  net: number;
}

const MAX_DATE_MS = 8_640_000_000_000_000; // the ECMAScript Date range, in milliseconds either side of 1970
const MAX_DATE_DAYS = 100_000_000; // the same range in days
/** Billing periods finance and PostgreSQL `date` columns both take without surprises. */
const FIRST_YEAR = 1900;
const LAST_YEAR = 9999;

export function validateInvoiceEvent(event: InvoiceLinesIngested): void {
  // First: every later message names the invoice by its key, which is only safe once it is valid.
  requireValidIdentifiers(event);
  requireAmounts(event);
  requireDates(event);
  if (event.lines.length === 0 && event.total_minor !== 0) {
    throw invalid(event, `no lines but total_minor is ${event.total_minor}`, {
      total_minor: event.total_minor,
    });
  }
}

/**
 * Sums the classified lines exactly (BigInt, so no intermediate sum can lose precision) and checks
 * the gross against the total the provider states.
 */
export function checkedTotals(
  event: InvoiceLinesIngested,
  lines: readonly { amount_minor: number; kind: LineKind }[],
): InvoiceTotals {
  let tax = 0n;
  let net = 0n;
  for (const line of lines) {
    if (line.kind === 'tax') tax += BigInt(line.amount_minor);
    else net += BigInt(line.amount_minor);
  }
  const gross = tax + net;
  const totals = {
    gross: toSafeNumber(event, gross),
    tax: toSafeNumber(event, tax),
    net: toSafeNumber(event, net),
  };
  if (gross !== BigInt(event.total_minor)) throw totalMismatch(event, totals);
  return totals;
}

function requireAmounts(event: InvoiceLinesIngested): void {
  if (!Number.isSafeInteger(event.total_minor)) {
    throw invalid(
      event,
      `total_minor must be a safe integer of minor units, got ${String(event.total_minor)}`,
    );
  }
  if (!Array.isArray(event.lines)) throw invalid(event, 'lines is not an array');
  event.lines.forEach((line, index) => {
    if (typeof line?.description !== 'string') {
      throw invalid(event, `lines[${index}].description is not a string`, { line_index: index });
    }
    if (!Number.isSafeInteger(line.amount_minor)) {
      const message = `lines[${index}].amount_minor must be a safe integer of minor units, got ${String(line.amount_minor)}`;
      throw invalid(event, message, { line_index: index, description: line.description });
    }
  });
}

function requireDates(event: InvoiceLinesIngested): void {
  const days = event.invoice_period;
  if (!Number.isSafeInteger(days) || Math.abs(days) > MAX_DATE_DAYS) {
    throw invalid(event, `invoice_period must be whole days since 1970-01-01, got ${String(days)}`);
  }
  const year = yearOfDays(days);
  if (year < FIRST_YEAR || year > LAST_YEAR) {
    throw invalid(
      event,
      `invoice_period is in year ${year}, outside ${FIRST_YEAR}–${LAST_YEAR} (day ${days})`,
      {
        invoice_period_days: days,
      },
    );
  }
  const isoDate = daysToIsoDate(days);
  if (!isoDate.endsWith('-01')) {
    throw invalid(event, `invoice_period ${isoDate} (day ${days}) is not the first day of a month`, {
      invoice_period: isoDate,
    });
  }
  if (!Number.isSafeInteger(event.occurred_at)) {
    throw invalid(event, `occurred_at must be epoch milliseconds, got ${String(event.occurred_at)}`);
  }
  const issuedAt = event.issued_at;
  if (issuedAt !== null && (!Number.isSafeInteger(issuedAt) || Math.abs(issuedAt) > MAX_DATE_MS)) {
    throw invalid(event, `issued_at must be null or epoch milliseconds, got ${String(issuedAt)}`);
  }
}

function toSafeNumber(event: InvoiceLinesIngested, sum: bigint): number {
  if (sum > BigInt(Number.MAX_SAFE_INTEGER) || sum < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw invalid(event, `lines sum to ${sum}, beyond the safe integer range of minor units`);
  }
  return Number(sum);
}

function totalMismatch(event: InvoiceLinesIngested, totals: InvoiceTotals): SyncError {
  const difference = totals.gross - event.total_minor;
  const signed = difference > 0 ? `+${difference}` : String(difference);
  const message = `lines sum to ${totals.gross} but total_minor is ${event.total_minor} (difference ${signed})`;
  return new SyncError('INVOICE_TOTAL_MISMATCH', message, {
    details: {
      ...identify(event),
      lines_sum_minor: totals.gross,
      total_minor: event.total_minor,
      difference_minor: difference,
      tax_minor: totals.tax,
      net_minor: totals.net,
      line_count: event.lines.length,
    },
  });
}

function invalid(
  event: InvoiceLinesIngested,
  message: string,
  figures: Record<string, unknown> = {},
): SyncError {
  return new SyncError('EVENT_INVALID', message, { details: { ...identify(event), ...figures } });
}

function identify(event: InvoiceLinesIngested): Record<string, unknown> {
  return { invoice_key: invoiceKey(event), event_id: event.event_id };
}
