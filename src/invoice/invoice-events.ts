/**
 * In-memory shapes of the two Avro events (schemas/*.avsc), exactly as the Avro codec hands them
 * over: logical types stay their underlying primitives, so `timestamp-millis` is epoch milliseconds
 * and `date` is days since 1970-01-01 (see `calendar-date.ts`). Money is integer minor units.
 */
export interface InvoiceLine {
  description: string;
  amount_minor: number;
  product: string | null;
  resource_id: string | null;
  project: string | null;
}

export interface InvoiceLinesIngested {
  event_id: string;
  /** Epoch milliseconds. */
  occurred_at: number;
  tenant_id: string;
  provider: string;
  provider_invoice_id: string;
  /** Days since 1970-01-01: the first day of the billed month. */
  invoice_period: number;
  currency: string;
  total_minor: number;
  /** Epoch milliseconds. */
  issued_at: number | null;
  lines: InvoiceLine[];
}

export type FinanceImportAction = 'created' | 'updated';

export interface InvoicePushedToFinance {
  event_id: string;
  /** Epoch milliseconds. */
  occurred_at: number;
  causation_event_id: string;
  tenant_id: string;
  provider: string;
  provider_invoice_id: string;
  /** Days since 1970-01-01. */
  invoice_period: number;
  finance_invoice_id: string;
  action: FinanceImportAction;
  currency: string;
  amount_gross_minor: number;
  amount_tax_minor: number;
  amount_net_minor: number;
  line_count: number;
  payload_sha256: string;
  /** Epoch milliseconds. */
  pushed_at: number;
}

/** Kafka key of both topics: `{tenant_id}:{provider}:{provider_invoice_id}`. */
export function invoiceKey(invoice: {
  tenant_id: string;
  provider: string;
  provider_invoice_id: string;
}): string {
  return `${invoice.tenant_id}:${invoice.provider}:${invoice.provider_invoice_id}`;
}
