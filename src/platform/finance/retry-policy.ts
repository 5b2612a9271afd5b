import { TRANSIENT_STATUSES } from './finance-status.ts';

/**
 * When to retry a finance request and after how long. Pure: undici's retry interceptor does the
 * re-sending; this only decides. Every import is safe to repeat because finance de-duplicates on
 * (tenant_id, source, external_id), so POSTs and even timeouts after the request left are retried.
 * Which statuses are transient is `finance-status.ts`'s verdict.
 */
export interface RetryPolicy {
  maxRetries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export interface FailedAttempt {
  /** 1 for the first retry. */
  attempt: number;
  statusCode?: number;
  code?: string;
  retryAfter?: string | string[];
}

export const RETRYABLE_STATUS: ReadonlySet<number> = new Set(TRANSIENT_STATUSES);

export const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Milliseconds to wait before the next attempt, or undefined when the failure must not be retried. */
export function retryDelayMs(
  failure: FailedAttempt,
  policy: RetryPolicy,
  random: () => number = Math.random,
) {
  if (failure.attempt > policy.maxRetries) return undefined;
  const retryableStatus = failure.statusCode !== undefined && RETRYABLE_STATUS.has(failure.statusCode);
  const retryableCode = failure.code !== undefined && RETRYABLE_CODES.has(failure.code);
  if (!retryableStatus && !retryableCode) return undefined;
  const asked = retryAfterMs(failure.retryAfter);
  if (asked !== undefined) return Math.min(asked, policy.maxDelayMs);
  // Exponential backoff with "equal jitter": half fixed, half random, so concurrent pushers that
  // failed together do not come back together.
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (failure.attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
