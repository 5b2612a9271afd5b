import { UsageError } from '../failures/usage-error.ts';

/**
 * Which invoices an audit looks at. The topics are always read whole (the newest version of a key
 * may lie anywhere), and the selection then keeps:
 * - `period`: invoices whose billed month (`invoice_period` of the newest ingested event; of the row
 *   for a row without an event) is that month;
 * - `since`: invoices whose newest ingested event was appended at or after that time (its record
 *   timestamp, as `replay --from-time` reads it; `updated_at` for a row without an event);
 * - `all`: every invoice.
 */
export type AuditSelection =
  | { kind: 'all' }
  | { kind: 'period' /** `YYYY-MM-01` */; period: string }
  | { kind: 'since'; since: Date };

const EARLIEST_YEAR = 1970;
const LATEST_YEAR = 9999;

/** `--period 2026-04`: a month between 1970-01 and 9999-12. */
export function parsePeriod(value: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(value);
  const year = Number(match?.[1]);
  const month = Number(match?.[2]);
  if (!match || year < EARLIEST_YEAR || year > LATEST_YEAR || month < 1 || month > 12) {
    throw new UsageError(
      `--period: expected a month as YYYY-MM between ${EARLIEST_YEAR}-01 and ${LATEST_YEAR}-12, e.g. 2026-04; got ${shown(value)}`,
    );
  }
  return `${match[1]}-${match[2]}-01`;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** `--since 2026-05-01T00:00:00Z` or `--since 2026-05-01` (midnight UTC), a real calendar time. */
export function parseSince(value: string): Date {
  const ms = ISO_TIME.test(value) ? Date.parse(value) : Number.NaN;
  const year = Number(value.slice(0, 4));
  if (Number.isNaN(ms) || year < EARLIEST_YEAR || !sameCalendarDay(value, ms)) {
    throw new UsageError(
      `--since: expected an ISO 8601 time from ${EARLIEST_YEAR} on, e.g. 2026-05-01T00:00:00Z or 2026-05-01; got ${shown(value)}`,
    );
  }
  return new Date(ms);
}

// Date.parse rolls 2026-02-31 over into March; a date that is not on the calendar is refused.
function sameCalendarDay(value: string, ms: number): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const asUtc = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1));
  return (
    asUtc.getUTCFullYear() === year &&
    asUtc.getUTCMonth() + 1 === month &&
    asUtc.getUTCDate() === day &&
    ms >= 0
  );
}

/** The selection of `--since` / `--period` (at most one of them). */
export function parseSelection(options: { since?: string; period?: string }): AuditSelection {
  if (options.since !== undefined && options.period !== undefined) {
    throw new UsageError('--since and --period select differently: give one of them, or neither for all');
  }
  if (options.period !== undefined) return { kind: 'period', period: parsePeriod(options.period) };
  if (options.since !== undefined) return { kind: 'since', since: parseSince(options.since) };
  return { kind: 'all' };
}

/** How a selection reads in reports: `all`, `period 2026-04`, `since 2026-05-01T00:00:00.000Z`. */
export function describeSelection(selection: AuditSelection): string {
  if (selection.kind === 'period') return `period ${selection.period.slice(0, 7)}`;
  if (selection.kind === 'since') return `since ${selection.since.toISOString()}`;
  return 'all';
}

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}
