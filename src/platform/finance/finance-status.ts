/**
 * What a finance HTTP status is evidence of (DESIGN.md, "Failure decisions"). Pure: the finance
 * client turns the verdict into a result or a catalogued error.
 * - `ok`: 200/201, the import landed.
 * - `transient`: the same request may succeed later: 408, 409, 425, 429 and every 5xx but 501.
 *   Retried by the client (undici's retry interceptor) before anything else happens.
 * - `wrong-endpoint`: 404, 405, 501: no invoice will ever succeed at this URL; the system's problem.
 * - `unauthorized` / `forbidden`: 401 / 403; retried once with a fresh token, then judged by evidence.
 * - `rejected`: 400, 413, 422: this payload will never be accepted; the event's problem.
 * - `unexpected`: anything else (1xx/3xx, other 2xx/4xx): retried within the attempt budget.
 */
export type FinanceVerdict =
  | 'ok'
  | 'transient'
  | 'wrong-endpoint'
  | 'unauthorized'
  | 'forbidden'
  | 'rejected'
  | 'unexpected';

const BY_STATUS: ReadonlyMap<number, FinanceVerdict> = new Map([
  [200, 'ok'],
  [201, 'ok'],
  [400, 'rejected'],
  [401, 'unauthorized'],
  [403, 'forbidden'],
  [404, 'wrong-endpoint'],
  [405, 'wrong-endpoint'],
  [408, 'transient'],
  [409, 'transient'],
  [413, 'rejected'],
  [422, 'rejected'],
  [425, 'transient'],
  [429, 'transient'],
  [501, 'wrong-endpoint'],
]);

export function financeVerdict(status: number): FinanceVerdict {
  const known = BY_STATUS.get(status);
  if (known !== undefined) return known;
  return status >= 500 && status <= 599 ? 'transient' : 'unexpected';
}

/** Every status the client retries with backoff, for undici's retry interceptor `statusCodes`. */
export const TRANSIENT_STATUSES: readonly number[] = Object.freeze(
  Array.from({ length: 500 }, (_, i) => 100 + i).filter((status) => financeVerdict(status) === 'transient'),
);
