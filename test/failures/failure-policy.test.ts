import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode, SyncError } from '../../src/failures/errors.ts';
import { decide, exhaustedBudget, systemicBackoffMs } from '../../src/failures/failure-policy.ts';

const firstAttempt = { attempts: 1, maxAttempts: 5 };

describe('failure policy', () => {
  it('dead-letters the event’s and tenant’s problems, pauses a partition for transient ones, the consumer for systemic ones', () => {
    const actions = Object.fromEntries(
      (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => [
        code,
        decide(new SyncError(code, 'x'), firstAttempt),
      ]),
    );
    expect(actions).toEqual({
      CONFIG_INVALID: 'pause-consumer',
      EVENT_UNDECODABLE: 'dead-letter',
      EVENT_SCHEMA_UNKNOWN: 'dead-letter',
      EVENT_INVALID: 'dead-letter',
      EVENT_TOO_LARGE: 'dead-letter',
      INVALID_IDENTIFIER: 'dead-letter',
      INVOICE_TOO_MANY_LINES: 'dead-letter',
      KEY_MISMATCH: 'dead-letter',
      INVOICE_TOTAL_MISMATCH: 'dead-letter',
      FINANCE_REJECTED: 'dead-letter',
      FINANCE_REQUEST_INVALID: 'dead-letter',
      FINANCE_FORBIDDEN_FOR_TENANT: 'dead-letter',
      FINANCE_UNAVAILABLE: 'pause-partition',
      FINANCE_UNAUTHORIZED: 'pause-consumer',
      FINANCE_ENDPOINT_WRONG: 'pause-consumer',
      FINANCE_UNEXPECTED_ANSWER: 'pause-partition',
      REGISTRY_UNAVAILABLE: 'pause-consumer',
      DATABASE_UNAVAILABLE: 'pause-consumer',
      TLS_HANDSHAKE_FAILED: 'pause-consumer',
      CREDENTIALS_REFUSED: 'pause-consumer',
      KAFKA_PRODUCE_FAILED: 'pause-partition',
      PARTITION_REVOKED: 'abandon',
      // Met by the offset committer, not by an event; were an event to meet it, it is transient.
      COMMIT_TIMEOUT: 'pause-partition',
      KAFKA_TOPIC_UNAVAILABLE: 'pause-consumer',
      // Never met by a consumer (the ingest CLI exits 65/66); were one to be, the event is the problem.
      INGEST_INPUT_INVALID: 'dead-letter',
      INGEST_INPUT_MISSING: 'dead-letter',
      INTERNAL_INVARIANT: 'pause-partition',
      UNEXPECTED: 'pause-partition',
    });
  });

  it('gives an error it does not know a budget of attempts, then dead-letters it', () => {
    const surprise = new RangeError('surprise');
    expect(decide(surprise, { attempts: 4, maxAttempts: 5 })).toBe('pause-partition');
    expect(decide(surprise, { attempts: 5, maxAttempts: 5 })).toBe('dead-letter');
    const unreadable = new SyncError(
      'FINANCE_UNEXPECTED_ANSWER',
      'finance answered 200 without data.id/action',
    );
    expect(decide(unreadable, { attempts: 5, maxAttempts: 5 })).toBe('dead-letter');
  });

  it('never dead-letters a transient or systemic failure, however many attempts it took', () => {
    const many = { attempts: 1_000, maxAttempts: 5 };
    expect(decide(new SyncError('FINANCE_UNAVAILABLE', 'x'), many)).toBe('pause-partition');
    expect(decide(new SyncError('DATABASE_UNAVAILABLE', 'x'), many)).toBe('pause-consumer');
  });

  it('dead-letters an exhausted budget as UNEXPECTED with the last error’s message and code', () => {
    const exhausted = exhaustedBudget(new RangeError('tax word "sales tax" must be one token'), 5);
    expect([exhausted.code, exhausted.message, exhausted.details]).toEqual([
      'UNEXPECTED',
      'gave up after 5 attempts: tax word "sales tax" must be one token',
      { attempts: 5, last_code: 'UNEXPECTED' },
    ]);
    expect(exhausted.cause).toBeInstanceOf(RangeError);
  });

  it('doubles the systemic backoff up to a cap', () => {
    expect([1, 2, 3, 4, 10].map((n) => systemicBackoffMs(5_000, n))).toEqual([
      5_000, 10_000, 20_000, 40_000, 60_000,
    ]);
  });
});
