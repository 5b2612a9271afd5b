import { buildLinesIngestedEvent } from '../../src/ingest/build-lines-ingested.ts';
import type { InvoiceLinesIngested } from '../../src/invoice/invoice-events.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';

/**
 * The sequence-numbered invoices of a reliability run. Everything about invoice `n` of run `run`
 * follows from those two values, so the producer process and the final checks agree on the keys and
 * the gross without sharing anything but the run id.
 */
export const CHAOS_TENANT = 'platform-admin';
export const CHAOS_PROVIDER = 'digitalocean';
const SEQUENCE_DIGITS = 6;

export function chaosInvoiceId(run: string, n: number): string {
  return `CHAOS-${run}-${String(n).padStart(SEQUENCE_DIGITS, '0')}`;
}

/** The key of invoice `n` of a run; `tenant` another than the platform's for runs of several tenants. */
export function chaosKey(run: string, n: number, tenant = CHAOS_TENANT): string {
  return invoiceKey({
    tenant_id: tenant,
    provider: CHAOS_PROVIDER,
    provider_invoice_id: chaosInvoiceId(run, n),
  });
}

/** A net and a tax line whose amounts vary with `n`, so a row holding another invoice's figures shows. */
function amountsOf(n: number): { net: number; tax: number } {
  return { net: 1_000 + (n % 9_000), tax: 100 + (n % 900) };
}

/** The gross finance must end up holding for invoice `n`. */
export function chaosGross(n: number): number {
  const { net, tax } = amountsOf(n);
  return net + tax;
}

export function chaosInvoice(run: string, n: number, tenant = CHAOS_TENANT): InvoiceLinesIngested {
  const { net, tax } = amountsOf(n);
  const line = { product: null, resource_id: null, project: null };
  return buildLinesIngestedEvent({
    tenantId: tenant,
    provider: CHAOS_PROVIDER,
    providerInvoiceId: chaosInvoiceId(run, n),
    invoicePeriod: '2026-04-01',
    currency: 'USD',
    issuedAt: new Date('2026-05-01T00:00:00Z'),
    lines: [
      { ...line, description: `Droplet chaos-${n}`, amount_minor: net },
      { ...line, description: 'GST (10%)', amount_minor: tax },
    ],
  });
}

/** The sequence number of a chaos invoice id of this run, or undefined for anything else. */
export function chaosSequenceOf(run: string, providerInvoiceId: string): number | undefined {
  const prefix = `CHAOS-${run}-`;
  if (!providerInvoiceId.startsWith(prefix)) return undefined;
  const n = Number(providerInvoiceId.slice(prefix.length));
  return Number.isSafeInteger(n) ? n : undefined;
}
