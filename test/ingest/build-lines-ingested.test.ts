import { describe, expect, it } from 'vitest';
import type { SyncError } from '../../src/failures/errors.ts';
import { buildLinesIngestedEvent } from '../../src/ingest/build-lines-ingested.ts';

function build(invoicePeriod: string) {
  return buildLinesIngestedEvent({
    tenantId: 'platform-admin',
    provider: 'digitalocean',
    providerInvoiceId: 'INV-1',
    invoicePeriod,
    currency: 'USD',
    lines: [],
  });
}

describe('building an invoice.lines_ingested event', () => {
  it('writes the period as days since 1970-01-01', () => {
    expect(build('2026-04-01').invoice_period).toBe(20_544);
  });

  it('refuses an impossible period such as 2026-02-30, naming it', () => {
    let refused: SyncError | undefined;
    try {
      build('2026-02-30');
    } catch (error) {
      refused = error as SyncError;
    }
    expect([refused?.code, refused?.message]).toEqual([
      'EVENT_INVALID',
      'invoice period "2026-02-30" is not a calendar date (YYYY-MM-DD)',
    ]);
  });
});
