import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { requireLineCount, requireRecordSize } from '../../src/invoice/event-limits.ts';
import { normalizeInvoice } from '../../src/invoice/normalize-invoice.ts';
import { invoiceWithLines } from '../fixtures/big-invoice.ts';
import { thrownBy } from '../helpers/caught-error.ts';

describe('event limits', () => {
  it('refuses a value over EVENT_MAX_BYTES as EVENT_TOO_LARGE, permanent, with both sizes', () => {
    expect(() => requireRecordSize(Buffer.alloc(1_024), 1_024)).not.toThrow();
    expect(() => requireRecordSize(null, 1_024)).not.toThrow();
    const error = thrownBy(() => requireRecordSize(Buffer.alloc(1_025), 1_024));
    expect([error.code, error.failureClass]).toEqual(['EVENT_TOO_LARGE', 'permanent']);
    expect(error.message).toBe(
      'the value is 1025 bytes, more than EVENT_MAX_BYTES (1024): split the invoice or raise the limit',
    );
    expect(error.details).toEqual({ value_bytes: 1_025, max_bytes: 1_024 });
  });

  it('refuses an invoice over EVENT_MAX_LINES as INVOICE_TOO_MANY_LINES, naming the invoice', () => {
    const event = invoiceWithLines(11);
    expect(() => requireLineCount(event, 'k', 11)).not.toThrow();
    const error = thrownBy(() => requireLineCount(event, 'k', 10));
    expect([error.code, error.failureClass]).toEqual(['INVOICE_TOO_MANY_LINES', 'permanent']);
    expect(error.message).toBe(
      'the invoice has 11 lines, more than EVENT_MAX_LINES (10): split the invoice or raise the limit',
    );
    expect(error.details).toEqual({
      invoice_key: 'k',
      event_id: event.event_id,
      line_count: 11,
      max_lines: 10,
    });
  });

  it('lets a 10,000-line invoice through the default limits, in lines and in Avro bytes', () => {
    const { events } = loadConfig({});
    const event = invoiceWithLines(10_000);
    expect(() => requireLineCount(event, 'k', events.maxLines)).not.toThrow();
    // Its finance body is larger than its Avro value: a bound on the body bounds the value too.
    expect(Buffer.byteLength(normalizeInvoice(event).body)).toBeLessThan(events.maxBytes / 4);
    expect(events).toEqual({ maxBytes: 8 * 1024 * 1024, maxLines: 50_000 });
  });
});
