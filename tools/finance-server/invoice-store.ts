import { randomUUID } from 'node:crypto';
import type { ImportLine, ImportPayload } from './import-payload.ts';

/**
 * Finance's books, in memory: one invoice row per (tenant_id, source, external_id) and one vendor
 * per (tenant_id, vendor name). Rows are handed out as copies so callers cannot edit the books.
 */
export interface FinanceVendor {
  id: string;
  tenant_id: string;
  name: string;
  /** Always `cloud`: vendors created by the cloud-invoice import are cloud vendors. */
  category: string;
  inserted_at: string;
}

export interface FinanceInvoice {
  id: string;
  tenant_id: string;
  source: string;
  external_id: string;
  vendor_id: string;
  invoice_period: string;
  issued_at: string | null;
  currency: string;
  amount_gross_minor: number;
  amount_tax_minor: number;
  amount_net_minor: number;
  lines: ImportLine[];
  /** How many accepted imports wrote this row (1 after creation). */
  import_count: number;
  inserted_at: string;
  updated_at: string;
}

export type FinanceInvoiceWithVendor = FinanceInvoice & { vendor: FinanceVendor };

export type ImportAction = 'created' | 'updated';

export interface ImportOutcome {
  id: string;
  action: ImportAction;
}

const VENDOR_CATEGORY = 'cloud';

export class InvoiceStore {
  readonly #invoicesByKey = new Map<string, FinanceInvoice>();
  readonly #vendorsByKey = new Map<string, FinanceVendor>();

  /** Creates the row, or replaces its fields with the payload's while keeping its id. */
  upsert(payload: ImportPayload, now: Date): ImportOutcome {
    const vendor = this.#vendorFor(payload.tenant_id, payload.vendor.name, now);
    const key = JSON.stringify([payload.tenant_id, payload.source, payload.external_id]);
    const existing = this.#invoicesByKey.get(key);
    const fields = {
      tenant_id: payload.tenant_id,
      source: payload.source,
      external_id: payload.external_id,
      vendor_id: vendor.id,
      invoice_period: payload.invoice_period,
      issued_at: payload.issued_at ?? null,
      currency: payload.currency,
      amount_gross_minor: payload.amount_gross_minor,
      amount_tax_minor: payload.amount_tax_minor,
      amount_net_minor: payload.amount_net_minor,
      lines: payload.lines.map((line) => ({ ...line })),
      updated_at: now.toISOString(),
    };
    if (existing === undefined) {
      const id = randomUUID();
      this.#invoicesByKey.set(key, { id, ...fields, import_count: 1, inserted_at: now.toISOString() });
      return { id, action: 'created' };
    }
    this.#invoicesByKey.set(key, { ...existing, ...fields, import_count: existing.import_count + 1 });
    return { id: existing.id, action: 'updated' };
  }

  invoices(): FinanceInvoiceWithVendor[] {
    const vendorsById = new Map([...this.#vendorsByKey.values()].map((vendor) => [vendor.id, vendor]));
    return [...this.#invoicesByKey.values()].map((invoice) => {
      const vendor = vendorsById.get(invoice.vendor_id);
      if (vendor === undefined) throw new Error(`finance server: vendor ${invoice.vendor_id} vanished`);
      return structuredClone({ ...invoice, vendor });
    });
  }

  vendors(): FinanceVendor[] {
    return [...this.#vendorsByKey.values()].map((vendor) => ({ ...vendor }));
  }

  clear(): void {
    this.#invoicesByKey.clear();
    this.#vendorsByKey.clear();
  }

  #vendorFor(tenantId: string, name: string, now: Date): FinanceVendor {
    const key = JSON.stringify([tenantId, name]);
    const existing = this.#vendorsByKey.get(key);
    if (existing !== undefined) return existing;
    const vendor = {
      id: randomUUID(),
      tenant_id: tenantId,
      name,
      category: VENDOR_CATEGORY,
      inserted_at: now.toISOString(),
    };
    this.#vendorsByKey.set(key, vendor);
    return vendor;
  }
}
