import { describe, expect, it } from 'vitest';
import { retryAfterMs, retryDelayMs } from '../../../src/platform/finance/retry-policy.ts';

const policy = { maxRetries: 3, minDelayMs: 200, maxDelayMs: 5_000 };

describe('finance retry policy', () => {
  it('retries 429, 5xx and network failures with exponential backoff and jitter', () => {
    expect(retryDelayMs({ attempt: 1, statusCode: 503 }, policy, () => 0)).toBe(100);
    expect(retryDelayMs({ attempt: 1, statusCode: 503 }, policy, () => 1)).toBe(200);
    expect(retryDelayMs({ attempt: 3, code: 'ECONNRESET' }, policy, () => 1)).toBe(800);
    expect(retryDelayMs({ attempt: 2, code: 'UND_ERR_HEADERS_TIMEOUT' }, policy, () => 0.5)).toBe(300);
  });

  it('honours Retry-After, capped at the largest backoff', () => {
    expect(retryDelayMs({ attempt: 1, statusCode: 429, retryAfter: '2' }, policy)).toBe(2_000);
    expect(retryDelayMs({ attempt: 1, statusCode: 429, retryAfter: '3600' }, policy)).toBe(5_000);
  });

  it('does not retry 4xx answers, unknown errors, or past the retry budget', () => {
    expect(retryDelayMs({ attempt: 1, statusCode: 422 }, policy)).toBeUndefined();
    expect(retryDelayMs({ attempt: 1, statusCode: 401 }, policy)).toBeUndefined();
    expect(retryDelayMs({ attempt: 1, code: 'ERR_INVALID_URL' }, policy)).toBeUndefined();
    expect(retryDelayMs({ attempt: 4, statusCode: 503 }, policy)).toBeUndefined();
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-05-01T00:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7_000);
    expect(retryAfterMs('Fri, 01 May 2026 00:00:03 GMT', now)).toBe(3_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});
