import { describe, expect, it } from 'vitest';
import { deadLetterHeaders } from '../../src/dead-letters/dead-letter-headers.ts';
import { SyncError } from '../../src/failures/errors.ts';

describe('dead-letter headers', () => {
  it('use Kafka Connect names and say where the record came from and why', () => {
    const error = new SyncError(
      'INVOICE_TOTAL_MISMATCH',
      'lines sum to 8692 but total_minor is 8700 (difference -8)',
    );
    const headers = deadLetterHeaders(
      error,
      { topic: 'invoice.lines_ingested', partition: 3, offset: '42' },
      new Date('2026-05-01T00:00:00Z'),
    );
    expect(headers).toEqual({
      '__connect.errors.topic': 'invoice.lines_ingested',
      '__connect.errors.partition': '3',
      '__connect.errors.offset': '42',
      '__connect.errors.exception.class.name': 'SyncError:INVOICE_TOTAL_MISMATCH',
      '__connect.errors.exception.message': 'lines sum to 8692 but total_minor is 8700 (difference -8)',
      '__connect.errors.timestamp': '1777593600000',
      '__connect.errors.code': 'INVOICE_TOTAL_MISMATCH',
    });
  });
});
