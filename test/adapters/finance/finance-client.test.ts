import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FinanceClient } from '../../../src/adapters/finance/finance-client.ts';
import { FinanceTokenSource } from '../../../src/adapters/finance/finance-token.ts';
import { loadConfig } from '../../../src/config/config.ts';
import type { SyncError } from '../../../src/core/errors.ts';
import { normalizeInvoice } from '../../../src/core/normalize-invoice.ts';
import { type FinanceServer, startFinanceServer } from '../../../tools/finance-server/finance-server.ts';
import { april2026Event } from '../../fixtures/april-2026.ts';

const SECRET = 'the-secret-finance-and-the-service-share';
const body = normalizeInvoice(april2026Event()).body;

async function failure(promise: Promise<unknown>): Promise<SyncError> {
  try {
    await promise;
  } catch (error) {
    return error as SyncError;
  }
  throw new Error('expected the call to fail');
}

describe('finance client against the reference finance server', () => {
  let finance: FinanceServer;
  let client: FinanceClient;
  const retries: string[] = [];

  beforeAll(async () => {
    finance = await startFinanceServer({ secret: SECRET });
    const config = loadConfig({
      SKYAI_FINANCE_URL: finance.url,
      FINANCE_JWT_SECRET: SECRET,
      FINANCE_MAX_RETRIES: '2',
      FINANCE_RETRY_MIN_DELAY_MS: '10',
      FINANCE_RETRY_MAX_DELAY_MS: '50',
      FINANCE_HEADERS_TIMEOUT_MS: '300',
    }).finance;
    client = new FinanceClient(config, new FinanceTokenSource(config, config.secret as Uint8Array), {
      onRetry: (reason) => retries.push(reason),
    });
  });
  afterAll(async () => {
    await client.close();
    await finance.close();
  });
  beforeEach(() => {
    finance.reset();
    retries.length = 0;
  });

  it('answers created, then updated with the same finance id', async () => {
    const created = await client.importInvoice(body);
    const updated = await client.importInvoice(body);
    expect(created.action).toBe('created');
    expect(updated).toEqual({ financeInvoiceId: created.financeInvoiceId, action: 'updated' });
  });

  it('retries 503s and succeeds', async () => {
    finance.setFaults({ failNext: { count: 2, status: 503 } });
    await expect(client.importInvoice(body)).resolves.toMatchObject({ action: 'created' });
    expect(retries).toEqual(['503', '503']);
  });

  it('gives up after its retries with a transient error', async () => {
    finance.setFaults({ failNext: { count: 3, status: 500 } });
    const error = await failure(client.importInvoice(body));
    expect([error.code, error.failureClass, error.message]).toEqual([
      'FINANCE_UNAVAILABLE',
      'transient',
      'finance unavailable after retries: HTTP 500',
    ]);
  });

  it('treats a timeout as transient and retries it (finance de-duplicates)', async () => {
    finance.setFaults({ latencyMs: 1_000 });
    const error = await failure(client.importInvoice(body));
    expect([error.code, error.failureClass]).toEqual(['FINANCE_UNAVAILABLE', 'transient']);
    expect(retries).toEqual(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);
  });

  it('retries a 401 once with a fresh token, then reports a systemic failure', async () => {
    finance.setFaults({ failNext: { count: 1, status: 401 } });
    await expect(client.importInvoice(body)).resolves.toMatchObject({ action: 'created' });
    finance.setFaults({ failNext: { count: 2, status: 403 } });
    const error = await failure(client.importInvoice(body));
    expect([error.code, error.failureClass]).toEqual(['FINANCE_UNAUTHORIZED', 'systemic']);
    expect(error.message).toBe(
      'finance refused the credentials twice (HTTP 403): {"errors":{"detail":"injected fault: failNext"}}',
    );
  });

  it('reports a 422 as permanent with finance’s field errors', async () => {
    const error = await failure(
      client.importInvoice(JSON.stringify({ ...JSON.parse(body), currency: 'usd' })),
    );
    expect([error.code, error.failureClass]).toEqual(['FINANCE_REJECTED', 'permanent']);
    expect(error.message).toMatch(/^finance rejected the invoice \(HTTP 422\): \{"errors":\{"currency":\[/);
  });
});
