import type { ErrorCode } from '../../src/failures/errors.ts';
import { buildLinesIngestedEvent } from '../../src/ingest/build-lines-ingested.ts';
import { type InvoiceLine, type InvoiceLinesIngested, invoiceKey } from '../../src/invoice/invoice-events.ts';
import type { Contracts } from '../../src/platform/registry/contracts.ts';
import { CHAOS_PROVIDER, CHAOS_TENANT } from './chaos-invoices.ts';

/**
 * Records that try the pusher's judgement, each published between valid invoices of a reliability
 * run: what is broken must be dead-lettered with its reason, what is merely unusual must be pushed.
 * Every entry says which of the two it expects, so the checks know the exact outcome.
 */
export type PoisonOutcome = { deadLetter: ErrorCode } | { pushed: { gross: number } };

export interface PoisonRecord {
  kind: string;
  key: string | null;
  value: Buffer | null;
  outcome: PoisonOutcome;
}

export interface PoisonEncoding {
  contracts: Contracts;
  /** The id the registry gave InvoiceLinesIngested under the input topic's subject. */
  linesSchemaId: number;
  /** The id of InvoicePushedToFinance: a real schema, but not one the input topic may carry. */
  pushedSchemaId: number;
}

const UNKNOWN_SCHEMA_ID = 0x7fff_fff0;
const HUGE_INVOICE_LINES = 10_000;

/** The external id of poison kind `kind` in run `run`. */
export function poisonInvoiceId(run: string, index: number, kind: string): string {
  return `CHAOS-${run}-P${String(index).padStart(2, '0')}-${kind}`;
}

/** The id finance is told to refuse (422), so one valid-looking invoice meets a finance rejection. */
export function financeRejectedId(run: string): string {
  return poisonInvoiceId(run, KINDS.indexOf('finance-422'), 'finance-422');
}

type Build = (
  invoice: (lines?: InvoiceLine[], total?: number) => InvoiceLinesIngested,
  frame: Framer,
) => {
  key?: string | null;
  value: Buffer | null;
  outcome: PoisonOutcome;
};

interface Framer {
  lines(event: InvoiceLinesIngested | Record<string, unknown>): Buffer;
  pushed(event: Record<string, unknown>): Buffer;
  /** Random-looking bytes from a fixed seed. */
  noise(length: number): Buffer;
}

const line = (description: string, amount: number): InvoiceLine => ({
  description,
  amount_minor: amount,
  product: null,
  resource_id: null,
  project: null,
});
const pushedGross = (event: InvoiceLinesIngested) => ({ pushed: { gross: event.total_minor } });

const BUILDS: Record<string, Build> = {
  'random-bytes': (_invoice, frame) => ({
    value: frame.noise(64),
    outcome: { deadLetter: 'EVENT_UNDECODABLE' },
  }),
  'wrong-magic-byte': (invoice, frame) => {
    const value = frame.lines(invoice());
    value[0] = 1;
    return { value, outcome: { deadLetter: 'EVENT_UNDECODABLE' } };
  },
  'unknown-schema-id': (invoice, frame) => {
    const value = frame.lines(invoice());
    value.writeUInt32BE(UNKNOWN_SCHEMA_ID, 1);
    return { value, outcome: { deadLetter: 'EVENT_SCHEMA_UNKNOWN' } };
  },
  'other-topic-schema': (_invoice, frame) => ({
    value: frame.pushed(pushedLookalike()),
    outcome: { deadLetter: 'EVENT_INVALID' },
  }),
  'truncated-avro': (invoice, frame) => {
    const value = frame.lines(invoice());
    return {
      value: value.subarray(0, Math.floor(value.length / 2)),
      outcome: { deadLetter: 'EVENT_UNDECODABLE' },
    };
  },
  'trailing-bytes': (invoice, frame) => ({
    value: Buffer.concat([frame.lines(invoice()), Buffer.from([0xde, 0xad])]),
    outcome: { deadLetter: 'EVENT_UNDECODABLE' },
  }),
  'empty-value': () => ({ value: Buffer.alloc(0), outcome: { deadLetter: 'EVENT_UNDECODABLE' } }),
  tombstone: () => ({ value: null, outcome: { deadLetter: 'EVENT_UNDECODABLE' } }),
  'total-mismatch': (invoice, frame) => ({
    value: frame.lines(invoice([line('Droplet', 1000), line('GST', 100)], 1101)),
    outcome: { deadLetter: 'INVOICE_TOTAL_MISMATCH' },
  }),
  'bad-currency': (invoice, frame) => ({
    value: frame.lines({ ...invoice(), currency: 'usd' }),
    outcome: { deadLetter: 'INVALID_IDENTIFIER' },
  }),
  'newline-in-tenant': (invoice, frame) => {
    // Keyed as its value says, so only the identifier rule stands between it and the
    // Idempotency-Key header (which undici refuses with a newline in it).
    const event = { ...invoice(), tenant_id: `${CHAOS_TENANT}\nX-Injected: 1` };
    return {
      key: invoiceKey(event),
      value: frame.lines(event),
      outcome: { deadLetter: 'INVALID_IDENTIFIER' },
    };
  },
  'empty-lines-nonzero-total': (invoice, frame) => ({
    value: frame.lines(invoice([], 500)),
    outcome: { deadLetter: 'EVENT_INVALID' },
  }),
  'impossible-date': (invoice, frame) => ({
    // Day 3,000,000 after 1970 is in the year 10183: no finance or PostgreSQL date holds it.
    value: frame.lines({ ...invoice(), invoice_period: 3_000_000 }),
    outcome: { deadLetter: 'EVENT_INVALID' },
  }),
  'unsafe-integer': (invoice, frame) => ({
    value: frame.lines({ ...invoice(), total_minor: 2n ** 53n + 1n }),
    outcome: { deadLetter: 'EVENT_INVALID' },
  }),
  'key-mismatch': (invoice, frame) => ({
    key: `${CHAOS_TENANT}:${CHAOS_PROVIDER}:SOMEONE-ELSE`,
    value: frame.lines(invoice()),
    outcome: { deadLetter: 'KEY_MISMATCH' },
  }),
  'null-key': (invoice, frame) => ({
    key: null,
    value: frame.lines(invoice()),
    outcome: { deadLetter: 'KEY_MISMATCH' },
  }),
  'finance-422': (invoice, frame) => ({
    value: frame.lines(invoice()),
    outcome: { deadLetter: 'FINANCE_REJECTED' },
  }),
  'huge-invoice': (invoice, frame) => {
    const lines = Array.from({ length: HUGE_INVOICE_LINES }, (_, i) =>
      i % 10 === 9 ? line(`GST line ${i}`, 1) : line(`Volume snapshot ${i}`, 10 + (i % 7)),
    );
    const event = invoice(lines);
    return { value: frame.lines(event), outcome: pushedGross(event) };
  },
  'non-ascii': (invoice, frame) => {
    const event = invoice([line('Café ☕ 東京リージョン データ転送 😀', 2500), line('TVA taxes 20 %', 500)]);
    return { value: frame.lines(event), outcome: pushedGross(event) };
  },
  'right-to-left': (invoice, frame) => {
    const event = invoice([line('خادم افتراضي \u202Eelbaxat\u202C שרת', 4000), line('Tax ضريبة', 400)]);
    return { value: frame.lines(event), outcome: pushedGross(event) };
  },
  'nul-in-description': (invoice, frame) => {
    const event = invoice([line('Droplet\u0000hidden after NUL', 1200), line('GST\u0000', 120)]);
    return { value: frame.lines(event), outcome: pushedGross(event) };
  },
  'credit-line': (invoice, frame) => {
    const event = invoice([line('Droplet', 3000), line('Promotional credit', -1000), line('GST', 200)]);
    return { value: frame.lines(event), outcome: pushedGross(event) };
  },
};

export const KINDS = Object.keys(BUILDS);

/** The catalogue for one run, in publishing order. */
export function poisonCatalogue(run: string, encoding: PoisonEncoding): PoisonRecord[] {
  const frame = framer(encoding);
  return KINDS.map((kind, index) => {
    const id = poisonInvoiceId(run, index, kind);
    const invoice = (lines = [line(`Droplet ${kind}`, 1000), line('GST', 100)], total?: number) =>
      buildLinesIngestedEvent({
        tenantId: CHAOS_TENANT,
        provider: CHAOS_PROVIDER,
        providerInvoiceId: id,
        invoicePeriod: '2026-04-01',
        currency: 'USD',
        lines,
        ...(total === undefined ? {} : { totalMinor: total }),
      });
    const built = (BUILDS[kind] as Build)(invoice, frame);
    const key =
      built.key === undefined
        ? invoiceKey({ tenant_id: CHAOS_TENANT, provider: CHAOS_PROVIDER, provider_invoice_id: id })
        : built.key;
    return { kind, key, value: built.value, outcome: built.outcome };
  });
}

function framer(encoding: PoisonEncoding): Framer {
  const frameWith = (schemaId: number, body: Buffer) => {
    const header = Buffer.alloc(5);
    header.writeUInt32BE(schemaId, 1);
    return Buffer.concat([header, body]);
  };
  let seed = 0x5eed;
  return {
    lines: (event) =>
      frameWith(encoding.linesSchemaId, encoding.contracts.linesIngested.type.toBuffer(event)),
    pushed: (event) =>
      frameWith(encoding.pushedSchemaId, encoding.contracts.pushedToFinance.type.toBuffer(event)),
    noise: (length) => {
      const bytes = Buffer.alloc(length);
      for (let i = 0; i < length; i++) {
        seed = (seed * 1_103_515_245 + 12_345) >>> 0;
        bytes[i] = seed >>> 24;
      }
      bytes[0] = 0xa5; // never the magic byte: random bytes, not a lucky frame
      return bytes;
    },
  };
}

/** A well-formed InvoicePushedToFinance: valid Avro, wrong contract for the input topic. */
function pushedLookalike(): Record<string, unknown> {
  return {
    event_id: '00000000-0000-4000-8000-000000000000',
    occurred_at: 0,
    causation_event_id: '00000000-0000-4000-8000-000000000001',
    tenant_id: CHAOS_TENANT,
    provider: CHAOS_PROVIDER,
    provider_invoice_id: 'LOOKALIKE',
    invoice_period: 20_544,
    finance_invoice_id: 'f',
    action: 'created',
    currency: 'USD',
    amount_gross_minor: 0,
    amount_tax_minor: 0,
    amount_net_minor: 0,
    line_count: 0,
    payload_sha256: '0'.repeat(64),
    pushed_at: 0,
  };
}
