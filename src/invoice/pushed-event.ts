import type { FinanceImportAction, InvoiceLinesIngested, InvoicePushedToFinance } from './invoice-events.ts';
import type { NormalizedInvoice } from './normalize-invoice.ts';

export interface FinanceAnswer {
  financeInvoiceId: string;
  action: FinanceImportAction;
}

/** The announcement of a push: what was sent (figures and body hash) and what finance answered. */
export function pushedEventFor(
  source: InvoiceLinesIngested,
  normalized: NormalizedInvoice,
  answer: FinanceAnswer,
  ids: { eventId: string; nowMs: number },
): InvoicePushedToFinance {
  return {
    event_id: ids.eventId,
    occurred_at: ids.nowMs,
    causation_event_id: source.event_id,
    tenant_id: source.tenant_id,
    provider: source.provider,
    provider_invoice_id: source.provider_invoice_id,
    invoice_period: source.invoice_period,
    finance_invoice_id: answer.financeInvoiceId,
    action: answer.action,
    currency: source.currency,
    amount_gross_minor: normalized.totals.gross,
    amount_tax_minor: normalized.totals.tax,
    amount_net_minor: normalized.totals.net,
    line_count: normalized.lineCount,
    payload_sha256: normalized.sha256,
    pushed_at: ids.nowMs,
  };
}
