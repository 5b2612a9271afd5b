import { describe, expect, it } from 'vitest';
import { financeVerdict, TRANSIENT_STATUSES } from '../../../src/platform/finance/finance-status.ts';

describe('finance status verdicts (DESIGN.md failure decisions)', () => {
  it('judges each status by whose problem it is', () => {
    const verdicts = Object.fromEntries(
      [
        200, 201, 202, 204, 301, 400, 401, 403, 404, 405, 408, 409, 410, 413, 418, 422, 425, 429, 500, 501,
        502, 503, 504, 599,
      ].map((status) => [status, financeVerdict(status)]),
    );
    expect(verdicts).toEqual({
      200: 'ok',
      201: 'ok',
      202: 'unexpected',
      204: 'unexpected',
      301: 'unexpected',
      400: 'rejected',
      401: 'unauthorized',
      403: 'forbidden',
      404: 'wrong-endpoint',
      405: 'wrong-endpoint',
      408: 'transient',
      409: 'transient',
      410: 'unexpected',
      413: 'rejected',
      418: 'unexpected',
      422: 'rejected',
      425: 'transient',
      429: 'transient',
      500: 'transient',
      501: 'wrong-endpoint',
      502: 'transient',
      503: 'transient',
      504: 'transient',
      599: 'transient',
    });
  });

  it('retries exactly the transient statuses', () => {
    expect(TRANSIENT_STATUSES.slice(0, 6)).toEqual([408, 409, 425, 429, 500, 502]);
    expect(TRANSIENT_STATUSES).not.toContain(501);
    expect(TRANSIENT_STATUSES).toHaveLength(4 + 99);
  });
});
