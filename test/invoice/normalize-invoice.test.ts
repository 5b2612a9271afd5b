import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SyncError } from '../../src/failures/errors.ts';
import { buildLinesIngestedEvent } from '../../src/ingest/build-lines-ingested.ts';
import type { InvoiceLine, InvoiceLinesIngested } from '../../src/invoice/invoice-events.ts';
import { normalizeInvoice } from '../../src/invoice/normalize-invoice.ts';
import { april2026Event, APRIL_2026 as FACTS } from '../fixtures/april-2026.ts';

const APRIL_2026 = 20_544; // 2026-04-01 in days since 1970-01-01
const MAY_FIRST_2026_MS = 1_777_593_600_000; // 2026-05-01T00:00:00.000Z
const KEY = 'platform-admin:digitalocean:INV-1';
const EVENT_ID = '7b0c5d1e-2f4a-4c8e-9a1b-3d5e7f9a1b2c';

function line(description: string, amountMinor: number): InvoiceLine {
  return { description, amount_minor: amountMinor, product: null, resource_id: null, project: null };
}

function eventOf(overrides: Partial<InvoiceLinesIngested> = {}): InvoiceLinesIngested {
  const lines = overrides.lines ?? [line('web-01 (s-1vcpu-1gb)', 1000), line('GST (10%)', 100)];
  return {
    event_id: EVENT_ID,
    occurred_at: MAY_FIRST_2026_MS,
    tenant_id: 'platform-admin',
    provider: 'digitalocean',
    provider_invoice_id: 'INV-1',
    invoice_period: APRIL_2026,
    currency: 'USD',
    total_minor: lines.reduce((sum, each) => sum + each.amount_minor, 0),
    issued_at: MAY_FIRST_2026_MS,
    ...overrides,
    lines,
  };
}

function errorOf(run: () => unknown): SyncError {
  try {
    run();
  } catch (error) {
    if (error instanceof SyncError) return error;
    throw error;
  }
  throw new Error('expected a SyncError, nothing was thrown');
}

describe('the April 2026 DigitalOcean invoice', () => {
  const event = april2026Event();
  const normalized = normalizeInvoice(event);

  it('has gross $86.92, tax $7.90 and net $79.02 over 33 lines', () => {
    expect(normalized.totals).toEqual({ gross: 8692, tax: 790, net: 7902 });
    expect(normalized.lineCount).toBe(33);
    expect([FACTS.total_minor, FACTS.tax_minor, FACTS.net_minor, FACTS.line_count]).toEqual([
      8692, 790, 7902, 33,
    ]);
  });

  it('counts only the GST line as tax, not the words that merely contain "tax"', () => {
    const taxLines = normalized.payload.lines.filter((each) => each.kind === 'tax');
    expect(taxLines).toEqual([{ description: 'GST (10%)', amount_minor: 790, kind: 'tax' }]);
    const netDescriptions = normalized.payload.lines.map((each) => each.description);
    expect(netDescriptions).toContain('syntax-highlighter (s-1vcpu-512mb-10gb)');
    expect(netDescriptions).toContain('taxonomy-api (s-1vcpu-1gb)');
  });

  it('becomes the finance payload the seed describes', () => {
    const { lines, ...header } = normalized.payload;
    expect(header).toEqual({
      tenant_id: 'platform-admin',
      source: 'digitalocean',
      external_id: 'INV-2026-04-DO-4512389',
      vendor: { name: 'DigitalOcean', category: 'cloud' },
      invoice_period: '2026-04-01',
      issued_at: '2026-05-01T00:00:00.000Z',
      currency: 'USD',
      amount_gross_minor: 8692,
      amount_tax_minor: 790,
      amount_net_minor: 7902,
    });
    expect(lines).toHaveLength(33);
    expect(normalized.body).toBe(JSON.stringify(normalized.payload));
  });
});

describe('buildLinesIngestedEvent', () => {
  it('fills the Avro shape, defaulting the total to the sum of the lines', () => {
    const lines = [line('web-01', 600), line('SLA credit', -150)];
    const event = buildLinesIngestedEvent({
      tenantId: 'platform-admin',
      provider: 'digitalocean',
      providerInvoiceId: 'INV-1',
      invoicePeriod: '2026-04-01',
      currency: 'USD',
      lines,
      eventId: EVENT_ID,
      occurredAt: 1_777_600_000_000,
    });
    expect(event).toEqual({
      event_id: EVENT_ID,
      occurred_at: 1_777_600_000_000,
      tenant_id: 'platform-admin',
      provider: 'digitalocean',
      provider_invoice_id: 'INV-1',
      invoice_period: APRIL_2026,
      currency: 'USD',
      total_minor: 450,
      issued_at: null,
      lines,
    });
    expect(event.lines[0]).not.toBe(lines[0]);
  });

  it('mints a fresh uuid event id per emission', () => {
    const input = {
      tenantId: 't',
      provider: 'aws',
      providerInvoiceId: 'I',
      invoicePeriod: '2026-04-01',
      currency: 'USD',
      lines: [],
    };
    const first = buildLinesIngestedEvent(input).event_id;
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(buildLinesIngestedEvent(input).event_id).not.toBe(first);
  });
});

describe('normalizeInvoice', () => {
  it('sums credits into net and tax refunds into tax', () => {
    const lines = [
      line('web-01', 1000),
      line('SLA credit', -250),
      line('GST (10%)', 100),
      line('GST refund', -25),
    ];
    const { totals, payload } = normalizeInvoice(eventOf({ lines }));
    expect(totals).toEqual({ gross: 825, tax: 75, net: 750 });
    expect(payload.lines.map((each) => each.kind)).toEqual(['net', 'net', 'tax', 'tax']);
  });

  it('keeps a null issued_at as null', () => {
    expect(normalizeInvoice(eventOf({ issued_at: null })).payload.issued_at).toBeNull();
  });

  it('accepts an invoice with no lines and a zero total', () => {
    const normalized = normalizeInvoice(eventOf({ lines: [], total_minor: 0 }));
    expect(normalized.totals).toEqual({ gross: 0, tax: 0, net: 0 });
    expect(normalized.lineCount).toBe(0);
  });

  it.each([
    ['digitalocean', 'DigitalOcean'],
    ['aws', 'Amazon Web Services'],
    ['gcp', 'Google Cloud'],
    ['azure', 'Microsoft Azure'],
    ['linode', 'linode'],
  ])('names the vendor of provider %s %s', (provider, name) => {
    const { payload } = normalizeInvoice(eventOf({ provider }));
    expect(payload.vendor).toEqual({ name, category: 'cloud' });
    expect(payload.source).toBe(provider);
  });

  it('uses the tax words configured for the provider', () => {
    const lines = [line('EC2 instances', 1000), line('VAT 20%', 200), line('GST (10%)', 100)];
    const { totals } = normalizeInvoice(eventOf({ provider: 'aws', lines }), { aws: ['vat'] });
    expect(totals).toEqual({ gross: 1300, tax: 200, net: 1100 });
  });
});

describe('the finance body', () => {
  it('is exactly the contract JSON, keys in the contract order', () => {
    const { body } = normalizeInvoice(eventOf());
    expect(body).toBe(
      '{"tenant_id":"platform-admin","source":"digitalocean","external_id":"INV-1",' +
        '"vendor":{"name":"DigitalOcean","category":"cloud"},"invoice_period":"2026-04-01",' +
        '"issued_at":"2026-05-01T00:00:00.000Z","currency":"USD",' +
        '"amount_gross_minor":1100,"amount_tax_minor":100,"amount_net_minor":1000,' +
        '"lines":[{"description":"web-01 (s-1vcpu-1gb)","amount_minor":1000,"kind":"net"},' +
        '{"description":"GST (10%)","amount_minor":100,"kind":"tax"}]}',
    );
  });

  it('hashes to the lowercase hex SHA-256 of its bytes', () => {
    const { body, sha256 } = normalizeInvoice(eventOf());
    expect(sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is byte-identical for the same invoice, whatever its event id, emission time or key order', () => {
    const first = normalizeInvoice(eventOf());
    const reordered = Object.fromEntries(
      Object.entries(eventOf()).reverse(),
    ) as unknown as InvoiceLinesIngested;
    const replayed = normalizeInvoice({ ...reordered, event_id: 'another', occurred_at: 1 });
    expect(replayed.body).toBe(first.body);
    expect(replayed.sha256).toBe(first.sha256);
  });

  it('hashes differently when one line changes', () => {
    const changed = eventOf({ lines: [line('web-01 (s-1vcpu-1gb)', 1001), line('GST (10%)', 100)] });
    expect(normalizeInvoice(changed).sha256).not.toBe(normalizeInvoice(eventOf()).sha256);
  });
});

describe('invalid invoices', () => {
  it('rejects lines that do not add up to the total, naming both figures', () => {
    const lines = [line('web-01', 7902), line('GST (10%)', 790)];
    const error = errorOf(() => normalizeInvoice(eventOf({ lines, total_minor: 8700 })));
    expect(error.code).toBe('INVOICE_TOTAL_MISMATCH');
    expect(error.failureClass).toBe('permanent');
    expect(error.message).toBe('lines sum to 8692 but total_minor is 8700 (difference -8)');
    expect(error.details).toEqual({
      invoice_key: KEY,
      event_id: EVENT_ID,
      lines_sum_minor: 8692,
      total_minor: 8700,
      difference_minor: -8,
      tax_minor: 790,
      net_minor: 7902,
      line_count: 2,
    });
  });

  it('signs a positive difference explicitly', () => {
    const error = errorOf(() =>
      normalizeInvoice(eventOf({ lines: [line('web-01', 1005)], total_minor: 1000 })),
    );
    expect(error.message).toBe('lines sum to 1005 but total_minor is 1000 (difference +5)');
  });

  it.each(['', 'usd', 'US', 'USDT', 'U$D'])('rejects currency %j as an invalid identifier', (currency) => {
    const error = errorOf(() => normalizeInvoice(eventOf({ currency })));
    expect(error.code).toBe('INVALID_IDENTIFIER');
    expect(error.message).toBe(
      `currency "${currency}" is not 3 capital letters A-Z (ISO 4217): the producer must send a valid currency`,
    );
    expect(error.details).toMatchObject({ field: 'currency', event_id: JSON.stringify(EVENT_ID) });
  });

  it('rejects an invoice with no lines but a non-zero total', () => {
    const error = errorOf(() => normalizeInvoice(eventOf({ lines: [], total_minor: 8692 })));
    expect(error.code).toBe('EVENT_INVALID');
    expect(error.message).toBe('no lines but total_minor is 8692');
    expect(error.details).toEqual({ invoice_key: KEY, event_id: EVENT_ID, total_minor: 8692 });
  });

  it.each(['tenant_id', 'provider', 'provider_invoice_id'] as const)(
    'rejects a blank %s before anything else',
    (field) => {
      // Also a bad total: the identifier is checked first, as every later message names the key.
      const error = errorOf(() => normalizeInvoice(eventOf({ [field]: ' ', total_minor: 1 })));
      expect(error.code).toBe('INVALID_IDENTIFIER');
      expect(error.message).toMatch(new RegExp(`^${field} " " is not `));
    },
  );

  it('rejects a fractional line amount, naming the line', () => {
    const error = errorOf(() =>
      normalizeInvoice(eventOf({ lines: [line('web-01', 12.5)], total_minor: 12 })),
    );
    expect(error.code).toBe('EVENT_INVALID');
    expect(error.message).toBe('lines[0].amount_minor must be a safe integer of minor units, got 12.5');
    expect(error.details).toEqual({
      invoice_key: KEY,
      event_id: EVENT_ID,
      line_index: 0,
      description: 'web-01',
    });
  });

  it.each([86.92, Number.NaN, 2 ** 53])('rejects total_minor %d', (total) => {
    const error = errorOf(() => normalizeInvoice(eventOf({ total_minor: total })));
    expect(error.code).toBe('EVENT_INVALID');
    expect(error.message).toBe(`total_minor must be a safe integer of minor units, got ${total}`);
  });

  it('rejects lines whose sum leaves the safe integer range', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const error = errorOf(() =>
      normalizeInvoice(eventOf({ lines: [line('a', big), line('b', big)], total_minor: 0 })),
    );
    expect(error.code).toBe('EVENT_INVALID');
    expect(error.message).toBe(
      'lines sum to 18014398509481982, beyond the safe integer range of minor units',
    );
  });

  it('rejects an invoice_period that is not the first day of a month', () => {
    const error = errorOf(() => normalizeInvoice(eventOf({ invoice_period: APRIL_2026 + 14 })));
    expect(error.code).toBe('EVENT_INVALID');
    expect(error.message).toBe('invoice_period 2026-04-15 (day 20558) is not the first day of a month');
  });

  it('rejects an invoice_period outside the calendar', () => {
    const error = errorOf(() => normalizeInvoice(eventOf({ invoice_period: 1e12 })));
    expect(error.message).toBe('invoice_period must be whole days since 1970-01-01, got 1000000000000');
  });

  it.each([
    ['1899-12-01', 1899],
    ['+010000-01-01', 10000],
  ])('rejects an invoice_period of %s, a year outside 1900–9999', (iso, year) => {
    const days = Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
    const error = errorOf(() => normalizeInvoice(eventOf({ invoice_period: days })));
    expect(error.code).toBe('EVENT_INVALID');
    expect(error.message).toBe(`invoice_period is in year ${year}, outside 1900–9999 (day ${days})`);
  });

  it('names the field of an amount decoded beyond the safe integer range (a bigint from Avro)', () => {
    const unsafe = 2n ** 53n + 1n;
    const error = errorOf(() => normalizeInvoice(eventOf({ total_minor: unsafe as unknown as number })));
    expect([error.code, error.message]).toEqual([
      'EVENT_INVALID',
      'total_minor must be a safe integer of minor units, got 9007199254740993',
    ]);
  });

  it('rejects an issued_at that is not epoch milliseconds', () => {
    const error = errorOf(() => normalizeInvoice(eventOf({ issued_at: 1.5 })));
    expect(error.code).toBe('EVENT_INVALID');
    expect(error.message).toBe('issued_at must be null or epoch milliseconds, got 1.5');
  });
});
