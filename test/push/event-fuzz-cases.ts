import fc from 'fast-check';
import type { ErrorCode } from '../../src/failures/errors.ts';
import { buildLinesIngestedEvent } from '../../src/ingest/build-lines-ingested.ts';
import type { InvoiceLine, InvoiceLinesIngested } from '../../src/invoice/invoice-events.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { type IdentifierField, isValidIdentifier } from '../../src/invoice/invoice-identity.ts';
import { withLyingLinesCount } from '../fixtures/lying-avro.ts';

/**
 * Hostile `invoice.lines_ingested` records for the event fuzz test, each with the one outcome it
 * must have: pushed to finance, or dead-lettered with a code (or, for random Avro bodies whose
 * meaning nobody can predict, one of a few codes).
 */
export type Expected = { pushed: true } | { deadLetter: readonly ErrorCode[] };

export interface FuzzCase {
  kind: string;
  key: string | null;
  value: Buffer | null;
  expected: Expected;
  event?: InvoiceLinesIngested;
}

export interface FuzzLimits {
  maxBytes: number;
  maxLines: number;
}

/** Turns an event into the bytes of a record, and frames any body with the real schema id. */
export interface Framing {
  encode(event: InvoiceLinesIngested): Buffer;
  frame(body: Uint8Array): Buffer;
}

const NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-'.split('');
const PRINTABLE = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i));

const name = fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 1, maxLength: 40 });
const invoiceNumber = fc.string({ unit: fc.constantFrom(...PRINTABLE, ':'), minLength: 1, maxLength: 60 });
const description = fc.string({ unit: 'grapheme', maxLength: 40 });
const lines = (max: number) =>
  fc.array(fc.record({ description, amount_minor: fc.integer({ min: -100_000, max: 1_000_000 }) }), {
    maxLength: max,
  });

/** Strings that break the rule of `field`: the classics, then anything fast-check finds. */
function hostile(field: IdentifierField): fc.Arbitrary<string> {
  const classics = fc.constantFrom(
    '',
    ' ',
    'platform-admin\n',
    'a\r\nX-Injected: 1',
    'tenant:with:colons',
    'nul\u0000byte',
    'caf\u00e9',
    '\u{1F600}',
    '\u202Eevil',
    'x'.repeat(65),
    'y'.repeat(200),
    'usd',
    'US',
  );
  const anything = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 140 }),
  );
  return fc.oneof(classics, anything).filter((value) => !isValidIdentifier(field, value));
}

/** Unique per case, so every valid invoice is its own finance row. */
const uniqueId = (prefix: string, index: number) => `${prefix.slice(0, 100)}~${index}`;

function invoice(
  tenant: string,
  provider: string,
  id: string,
  items: { description: string; amount_minor: number }[],
) {
  return buildLinesIngestedEvent({
    tenantId: tenant,
    provider,
    providerInvoiceId: id,
    invoicePeriod: '2026-04-01',
    currency: 'USD',
    lines: items.map((item): InvoiceLine => ({ ...item, product: null, resource_id: null, project: null })),
  });
}

const keyed = (
  kind: string,
  framing: Framing,
  event: InvoiceLinesIngested,
  expected: Expected,
): FuzzCase => ({
  kind,
  key: invoiceKey(event),
  value: framing.encode(event),
  expected,
  event,
});

const dead = (...codes: ErrorCode[]): Expected => ({ deadLetter: codes });

/** One arbitrary case; `index` makes its invoice number unique. */
export function fuzzCase(index: number, framing: Framing, limits: FuzzLimits): fc.Arbitrary<FuzzCase> {
  const valid = fc
    .tuple(name, name, invoiceNumber, lines(12))
    .map(([t, p, id, items]) => invoice(t, p, uniqueId(id, index), items));
  const badField = (field: IdentifierField) =>
    fc
      .tuple(valid, hostile(field))
      .map(([event, value]) =>
        keyed(`bad-${field}`, framing, { ...event, [field]: value }, dead('INVALID_IDENTIFIER')),
      );
  return fc.oneof(
    { weight: 8, arbitrary: valid.map((event) => keyed('valid', framing, event, { pushed: true })) },
    { weight: 2, arbitrary: badField('tenant_id') },
    { weight: 2, arbitrary: badField('provider') },
    { weight: 2, arbitrary: badField('provider_invoice_id') },
    { weight: 1, arbitrary: badField('currency') },
    {
      // A tenant holding ':' whose key is exactly another valid invoice's key.
      weight: 1,
      arbitrary: fc.tuple(name, name, name, invoiceNumber).map(([a, b, p, id]) => {
        const event = invoice(`${a}:${b}`, p, uniqueId(id, index), [
          { description: 'Droplet', amount_minor: 1 },
        ]);
        return keyed('colliding-tenant', framing, event, dead('INVALID_IDENTIFIER'));
      }),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: limits.maxLines + 1, max: limits.maxLines * 2 }).map((count) => {
        const items = Array.from({ length: count }, (_, i) => ({ description: `l${i}`, amount_minor: 1 }));
        return keyed(
          'too-many-lines',
          framing,
          invoice('t', 'p', uniqueId('LINES', index), items),
          dead('INVOICE_TOO_MANY_LINES'),
        );
      }),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 4_096 }).map((extra) => ({
        kind: 'too-large',
        key: `t:p:${uniqueId('LARGE', index)}`,
        value: Buffer.concat([
          framing.frame(Buffer.alloc(0)),
          Buffer.alloc(limits.maxBytes + extra - 5, 0x41),
        ]),
        expected: dead('EVENT_TOO_LARGE'),
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          valid,
          fc.integer({ min: -1_000, max: 1_000 }).filter((d) => d !== 0),
        )
        .map(([event, delta]) =>
          keyed(
            'total-mismatch',
            framing,
            { ...event, total_minor: event.total_minor + delta },
            // Without lines a total is an invalid invoice before it is a mismatch.
            event.lines.length === 0 ? dead('EVENT_INVALID') : dead('INVOICE_TOTAL_MISMATCH'),
          ),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, fc.option(fc.string({ unit: 'grapheme', maxLength: 60 })))
        .map(([event, key]) => ({
          ...keyed('key-mismatch', framing, event, dead('KEY_MISMATCH')),
          key: key === invoiceKey(event) ? `${key}!` : key,
        })),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({
        kind: 'random-bytes',
        key: `t:p:${uniqueId('BYTES', index)}`,
        value: Buffer.concat([Buffer.from([0xa5]), bytes]), // never the magic byte
        expected: dead('EVENT_UNDECODABLE'),
      })),
    },
    {
      // Real framing, random Avro body: whatever it decodes to, it is never a valid invoice of its key.
      weight: 1,
      arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => ({
        kind: 'random-avro',
        key: `t:p:${uniqueId('AVRO', index)}`,
        value: framing.frame(bytes),
        expected: dead(
          'EVENT_UNDECODABLE',
          'EVENT_INVALID',
          'INVALID_IDENTIFIER',
          'KEY_MISMATCH',
          'INVOICE_TOO_MANY_LINES',
        ),
      })),
    },
    {
      // A lines block claiming millions of items in a few bytes (once a decoder hang).
      weight: 1,
      arbitrary: fc.bigInt({ min: 1_000_000n, max: 4_000_000_000n }).map((count) => {
        const empty = framing.encode(invoice('t', 'p', uniqueId('LYING', index), []));
        return {
          kind: 'lying-lines-count',
          key: `t:p:${uniqueId('LYING', index)}`,
          value: withLyingLinesCount(empty, count),
          expected: dead('EVENT_UNDECODABLE'),
        };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        kind: 'tombstone',
        key: `t:p:${uniqueId('NULL', index)}`,
        value: null,
        expected: dead('EVENT_UNDECODABLE'),
      }),
    },
  );
}
