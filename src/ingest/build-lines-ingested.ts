import { randomUUID } from 'node:crypto';
import { SyncError } from '../failures/errors.ts';
import { isoDateToDays } from '../invoice/calendar-date.ts';
import type { InvoiceLine, InvoiceLinesIngested } from '../invoice/invoice-events.ts';

/** What an ingest (e.g. a parsed DigitalOcean CSV) knows about an invoice, in everyday types. */
export interface LinesIngestedInput {
  tenantId: string;
  provider: string;
  providerInvoiceId: string;
  /** `YYYY-MM-DD`, first day of the billed month. */
  invoicePeriod: string;
  currency: string;
  issuedAt?: Date | null;
  lines: readonly InvoiceLine[];
  /** The provider's stated total in minor units; defaults to the sum of the lines. */
  totalMinor?: number;
  eventId?: string;
  /** Epoch milliseconds; defaults to now. */
  occurredAt?: number;
}

/**
 * Builds the `invoice.lines_ingested` event in its Avro in-memory shape (epoch ms, days since epoch).
 * It does not validate the invoice: that is the pusher's job, so a bad invoice still reaches the
 * topic and is dead-lettered with its reason instead of vanishing at the producer.
 */
export function buildLinesIngestedEvent(input: LinesIngestedInput): InvoiceLinesIngested {
  const lines = input.lines.map((line) => ({ ...line }));
  return {
    event_id: input.eventId ?? randomUUID(),
    occurred_at: input.occurredAt ?? Date.now(),
    tenant_id: input.tenantId,
    provider: input.provider,
    provider_invoice_id: input.providerInvoiceId,
    invoice_period: periodDays(input.invoicePeriod),
    currency: input.currency,
    total_minor: input.totalMinor ?? lines.reduce((sum, line) => sum + line.amount_minor, 0),
    issued_at: toEpochMs(input.issuedAt ?? null),
    lines,
  };
}

/** An impossible date cannot even be written as Avro `date`: refuse it here, naming it. */
function periodDays(isoDate: string): number {
  const days = isoDateToDays(isoDate);
  if (days === undefined) {
    throw new SyncError(
      'EVENT_INVALID',
      `invoice period ${JSON.stringify(isoDate)} is not a calendar date (YYYY-MM-DD)`,
      {
        details: { invoice_period: isoDate },
      },
    );
  }
  return days;
}

function toEpochMs(date: Date | null): number | null {
  if (date === null) return null;
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new SyncError('EVENT_INVALID', 'issued_at is an invalid date');
  return ms;
}
