import { daysToIsoDate } from './calendar-date.ts';
import {
  type FinanceImportPayload,
  type FinancePayloadLine,
  payloadSha256,
  serializePayload,
} from './finance-payload.ts';
import type { InvoiceLinesIngested } from './invoice-events.ts';
import { type TaxWordsByProvider, taxClassifierFor } from './tax-rule.ts';
import { checkedTotals, type InvoiceTotals, validateInvoiceEvent } from './validate-invoice.ts';
import { vendorFor } from './vendors.ts';

export type { InvoiceTotals } from './validate-invoice.ts';

export interface NormalizedInvoice {
  payload: FinanceImportPayload;
  /** The exact bytes to POST; `sha256` is their hash. */
  body: string;
  sha256: string;
  lineCount: number;
  totals: InvoiceTotals;
}

/**
 * Turns an ingested invoice into the finance payload, its exact body and its hash. Pure: the same
 * event and tax words always give the same bytes. Throws a permanent `SyncError` on bad input.
 */
export function normalizeInvoice(
  event: InvoiceLinesIngested,
  taxWords: TaxWordsByProvider = {},
): NormalizedInvoice {
  validateInvoiceEvent(event);
  const isTax = taxClassifierFor(event.provider, taxWords);
  const lines: FinancePayloadLine[] = event.lines.map((line) => ({
    description: line.description,
    amount_minor: line.amount_minor,
    kind: isTax(line.description) ? 'tax' : 'net',
  }));
  const totals = checkedTotals(event, lines);
  const payload: FinanceImportPayload = {
    tenant_id: event.tenant_id,
    source: event.provider,
    external_id: event.provider_invoice_id,
    vendor: vendorFor(event.provider),
    invoice_period: daysToIsoDate(event.invoice_period),
    issued_at: event.issued_at === null ? null : new Date(event.issued_at).toISOString(),
    currency: event.currency,
    amount_gross_minor: totals.gross,
    amount_tax_minor: totals.tax,
    amount_net_minor: totals.net,
    lines,
  };
  const body = serializePayload(payload);
  return { payload, body, sha256: payloadSha256(body), lineCount: lines.length, totals };
}
