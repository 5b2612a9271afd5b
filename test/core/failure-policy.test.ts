import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode, SyncError } from '../../src/core/errors.ts';
import { actionFor, systemicBackoffMs } from '../../src/core/failure-policy.ts';

describe('failure policy', () => {
  it('dead-letters permanent failures, pauses the partition on transient ones, the consumer on systemic ones', () => {
    const actions = Object.fromEntries(
      (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => [code, actionFor(new SyncError(code, 'x'))]),
    );
    expect(actions).toEqual({
      CONFIG_INVALID: 'pause-consumer',
      EVENT_UNDECODABLE: 'dead-letter',
      EVENT_SCHEMA_UNKNOWN: 'dead-letter',
      EVENT_INVALID: 'dead-letter',
      INVOICE_TOTAL_MISMATCH: 'dead-letter',
      FINANCE_REJECTED: 'dead-letter',
      FINANCE_UNAVAILABLE: 'pause-partition',
      FINANCE_UNAUTHORIZED: 'pause-consumer',
      FINANCE_UNEXPECTED_ANSWER: 'pause-partition',
      REGISTRY_UNAVAILABLE: 'pause-consumer',
      DATABASE_UNAVAILABLE: 'pause-consumer',
      KAFKA_PRODUCE_FAILED: 'pause-partition',
    });
  });

  it('never dead-letters an error it does not know: a retry can do no harm', () => {
    expect(actionFor(new TypeError('surprise'))).toBe('pause-partition');
  });

  it('doubles the systemic backoff up to a cap', () => {
    expect([1, 2, 3, 4, 10].map((n) => systemicBackoffMs(5_000, n))).toEqual([
      5_000, 10_000, 20_000, 40_000, 60_000,
    ]);
  });
});
