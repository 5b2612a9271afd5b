import { createHash } from 'node:crypto';
import type { Vendor } from './vendors.ts';

/** The JSON body of `POST /api/v1/integrations/cloud/import-invoice` (DESIGN.md, "Finance contract"). */
export type LineKind = 'net' | 'tax';

export interface FinancePayloadLine {
  description: string;
  amount_minor: number;
  kind: LineKind;
}

export interface FinanceImportPayload {
  tenant_id: string;
  source: string;
  external_id: string;
  vendor: Vendor;
  /** `YYYY-MM-DD`, first day of the billed month. */
  invoice_period: string;
  /** ISO 8601 instant, e.g. `2026-05-01T00:00:00.000Z`, or null when the provider gave none. */
  issued_at: string | null;
  currency: string;
  amount_gross_minor: number;
  amount_tax_minor: number;
  amount_net_minor: number;
  lines: FinancePayloadLine[];
}

/**
 * The exact body sent to finance. Keys are copied in the contract's order into fresh objects, so the
 * bytes depend only on the values, never on how the caller built the object; the same invoice
 * therefore always hashes the same, which is what lets the pusher skip unchanged re-pushes.
 * Unknown keys on the input are dropped rather than sent.
 */
export function serializePayload(payload: FinanceImportPayload): string {
  const ordered: FinanceImportPayload = {
    tenant_id: payload.tenant_id,
    source: payload.source,
    external_id: payload.external_id,
    vendor: { name: payload.vendor.name, category: payload.vendor.category },
    invoice_period: payload.invoice_period,
    issued_at: payload.issued_at,
    currency: payload.currency,
    amount_gross_minor: payload.amount_gross_minor,
    amount_tax_minor: payload.amount_tax_minor,
    amount_net_minor: payload.amount_net_minor,
    lines: payload.lines.map((line) => ({
      description: line.description,
      amount_minor: line.amount_minor,
      kind: line.kind,
    })),
  };
  return JSON.stringify(ordered);
}

/** Lowercase hex SHA-256 of the UTF-8 body: `payload_sha256` of the pushed event. */
export function payloadSha256(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}
