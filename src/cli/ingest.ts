import { buildLinesIngestedEvent } from '../ingest/build-lines-ingested.ts';
import { parseDigitalOceanCsv } from '../ingest/digitalocean-csv.ts';
import { readIngestFile } from '../ingest/ingest-file.ts';
import { type InvoiceLinesIngested, invoiceKey } from '../invoice/invoice-events.ts';
import type { Infrastructure } from '../service/infrastructure.ts';

export interface IngestOptions {
  csv: string;
  invoiceId: string;
  /** `YYYY-MM` or `YYYY-MM-DD` (first of the month). */
  period: string;
  provider: string;
  tenant: string;
  currency: string;
  issuedAt?: string;
  /** Stated invoice total in minor units; defaults to the sum of the lines. */
  totalMinor?: number;
}

/** Stands in for the upstream ingest: reads a provider CSV and publishes InvoiceLinesIngested. */
export async function ingestCommand(
  infra: Infrastructure,
  options: IngestOptions,
): Promise<InvoiceLinesIngested> {
  const event = readIngestEvent(options);
  await publishLinesIngested(infra, event);
  return event;
}

/**
 * The event the CSV describes, before anything is opened: a bad file is refused in a moment
 * (`INGEST_INPUT_INVALID`, `INGEST_INPUT_MISSING`), without waiting for Kafka, the registry or PostgreSQL.
 */
export function readIngestEvent(options: IngestOptions): InvoiceLinesIngested {
  const lines = parseDigitalOceanCsv(readIngestFile(options.csv), options.csv);
  return buildLinesIngestedEvent({
    tenantId: options.tenant,
    provider: options.provider,
    providerInvoiceId: options.invoiceId,
    invoicePeriod: options.period.length === 7 ? `${options.period}-01` : options.period,
    currency: options.currency,
    issuedAt: options.issuedAt ? new Date(options.issuedAt) : null,
    lines,
    totalMinor: options.totalMinor,
  });
}

export async function publishLinesIngested(
  infra: Infrastructure,
  event: InvoiceLinesIngested,
): Promise<void> {
  const value = await infra.codec.encode(infra.schemaIds.linesIngested, infra.contracts.linesIngested, event);
  await infra.sender.send({
    topic: infra.config.topics.linesIngested,
    key: invoiceKey(event),
    value,
  });
}
