import { type InvoiceLinesIngested, invoiceKey } from '../events/invoice-events.ts';
import { SyncError } from './errors.ts';

/**
 * The record key must be `{tenant_id}:{provider}:{provider_invoice_id}` of its own value: the key is
 * what keeps one invoice's versions in order on one partition, and what operators search by. A
 * record whose key says another invoice (or no key at all) would be ordered with the wrong invoice.
 */
export function requireKeyMatches(key: string | null, event: InvoiceLinesIngested): void {
  const expected = invoiceKey(event);
  if (key === expected) return;
  const got = key === null ? 'no key' : `key ${JSON.stringify(key)}`;
  throw new SyncError(
    'KEY_MISMATCH',
    `record has ${got} but its value is invoice ${JSON.stringify(expected)}: the producer must key each event by {tenant_id}:{provider}:{provider_invoice_id}`,
    { details: { record_key: key, payload_key: expected, event_id: event.event_id } },
  );
}
