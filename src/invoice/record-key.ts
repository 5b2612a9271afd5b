import { SyncError } from '../failures/errors.ts';
import { type InvoiceLinesIngested, invoiceKey } from './invoice-events.ts';
import { shownValue } from './invoice-identity.ts';

/** A key is any bytes a producer chose: shown cut, so a dead letter's headers stay small. */
const SHOWN_KEY_CHARACTERS = 200;

/**
 * The record key must be `{tenant_id}:{provider}:{provider_invoice_id}` of its own value: the key is
 * what keeps one invoice's versions in order on one partition, and what operators search by. A
 * record whose key says another invoice (or no key at all) would be ordered with the wrong invoice.
 * Checked after `requireValidIdentifiers`: with valid identifiers the key is unambiguous
 * (`invoice-key.ts`), so equal strings mean the same invoice.
 */
export function requireKeyMatches(key: string | null, event: InvoiceLinesIngested): void {
  const expected = invoiceKey(event);
  if (key === expected) return;
  const shown = key === null ? undefined : shownValue(key, SHOWN_KEY_CHARACTERS);
  const got = shown === undefined ? 'no key' : `key ${shown}`;
  throw new SyncError(
    'KEY_MISMATCH',
    `record has ${got} but its value is invoice ${JSON.stringify(expected)}: the producer must key each event by {tenant_id}:{provider}:{provider_invoice_id}`,
    {
      details: {
        record_key: key?.slice(0, SHOWN_KEY_CHARACTERS) ?? null,
        record_key_length: key?.length,
        payload_key: expected,
        event_id: event.event_id,
      },
    },
  );
}
