import { parseInvoiceKey } from '../invoice/invoice-key.ts';

/**
 * The tenant a record of invoice.lines_ingested belongs to, from its key alone (no decoding): whose
 * turn its finance call takes under fair scheduling. A key that is no invoice's belongs to no tenant
 * (''); its record is dead-lettered without a finance call.
 */
export function tenantOfKey(key: string): string {
  return parseInvoiceKey(key)?.tenant_id ?? '';
}
