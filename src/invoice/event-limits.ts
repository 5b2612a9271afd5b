import { SyncError } from '../failures/errors.ts';

/**
 * How big an event may be (EVENT_MAX_BYTES, EVENT_MAX_LINES). Beyond them an event is dead-lettered
 * with its reason instead of being decoded, held in memory, hashed and sent: one oversized record
 * must not take a pusher's memory or a finance call's deadline with it.
 */
export interface EventLimits {
  /** Most bytes of a record's value, checked before decoding. */
  maxBytes: number;
  /** Most lines of one invoice. */
  maxLines: number;
}

/** Throws `EVENT_TOO_LARGE` when the raw value is over the limit; a null value is the decoder's to refuse. */
export function requireRecordSize(value: Buffer | null, maxBytes: number): void {
  if (value === null || value.length <= maxBytes) return;
  throw new SyncError(
    'EVENT_TOO_LARGE',
    `the value is ${value.length} bytes, more than EVENT_MAX_BYTES (${maxBytes}): split the invoice or raise the limit`,
    { details: { value_bytes: value.length, max_bytes: maxBytes } },
  );
}

/** Throws `INVOICE_TOO_MANY_LINES` when the invoice has more lines than the limit. */
export function requireLineCount(
  event: { event_id: string; lines: readonly unknown[] },
  invoiceKey: string,
  maxLines: number,
): void {
  if (event.lines.length <= maxLines) return;
  throw new SyncError(
    'INVOICE_TOO_MANY_LINES',
    `the invoice has ${event.lines.length} lines, more than EVENT_MAX_LINES (${maxLines}): split the invoice or raise the limit`,
    {
      details: {
        invoice_key: invoiceKey,
        event_id: event.event_id,
        line_count: event.lines.length,
        max_lines: maxLines,
      },
    },
  );
}
