import { readFileSync } from 'node:fs';
import { buildLinesIngestedEvent } from '../ingest/build-lines-ingested.ts';
import { parseDigitalOceanCsv } from '../ingest/digitalocean-csv.ts';
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
  const lines = parseDigitalOceanCsv(readFileSync(options.csv, 'utf8'));
  const event = buildLinesIngestedEvent({
    tenantId: options.tenant,
    provider: options.provider,
    providerInvoiceId: options.invoiceId,
    invoicePeriod: options.period.length === 7 ? `${options.period}-01` : options.period,
    currency: options.currency,
    issuedAt: options.issuedAt ? new Date(options.issuedAt) : null,
    lines,
    totalMinor: options.totalMinor,
  });
  await publishLinesIngested(infra, event);
  return event;
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
