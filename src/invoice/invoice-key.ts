import { invoiceKey } from './invoice-events.ts';
import { isValidIdentifier } from './invoice-identity.ts';

export { invoiceKey };

/** The three identifiers a record key stands for. */
export interface InvoiceIdentity {
  tenant_id: string;
  provider: string;
  provider_invoice_id: string;
}

/**
 * The identity a record key `{tenant_id}:{provider}:{provider_invoice_id}` names, or undefined when
 * it is not the key of a valid identity. `tenant_id` and `provider` never hold `:`, so the key splits
 * at its first two colons and everything after them, colons included, is the invoice number:
 * `parseInvoiceKey(invoiceKey(x))` is `x` for every valid `x`, and two valid identities never share
 * a key (test/invoice/invoice-key.test.ts checks both as properties).
 */
export function parseInvoiceKey(key: string): InvoiceIdentity | undefined {
  const first = key.indexOf(':');
  const second = first === -1 ? -1 : key.indexOf(':', first + 1);
  if (second === -1) return undefined;
  const identity = {
    tenant_id: key.slice(0, first),
    provider: key.slice(first + 1, second),
    provider_invoice_id: key.slice(second + 1),
  };
  const valid =
    isValidIdentifier('tenant_id', identity.tenant_id) &&
    isValidIdentifier('provider', identity.provider) &&
    isValidIdentifier('provider_invoice_id', identity.provider_invoice_id);
  return valid ? identity : undefined;
}
