import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { SyncError } from '../../../src/failures/errors.ts';
import { normalizeInvoice } from '../../../src/invoice/normalize-invoice.ts';
import { FinanceClient, type FinanceImport } from '../../../src/platform/finance/finance-client.ts';
import { FinanceTokenSource } from '../../../src/platform/finance/finance-token.ts';
import { type FinanceServer, startFinanceServer } from '../../../tools/finance-server/finance-server.ts';
import { april2026Event } from '../../fixtures/april-2026.ts';
import { rejectionOf } from '../../helpers/caught-error.ts';

const SECRET = 'the-secret-finance-and-the-service-share';
const normalized = normalizeInvoice(april2026Event());
const body = normalized.body;

/** An import of `payload` for `tenantId` with its idempotency key, as the pusher sends it. */
function push(payload = body, tenantId = 'platform-admin'): FinanceImport {
  return { body: payload, tenantId, idempotencyKey: `${tenantId}:digitalocean:x:${normalized.sha256}` };
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

  /** A client of its own with these settings; `calls` imports at once; finance's most in flight and the limits heard. */
  async function callsAtOnce(env: Record<string, string>, calls: number) {
    const config = loadConfig({ SKYAI_FINANCE_URL: finance.url, FINANCE_JWT_SECRET: SECRET, ...env }).finance;
    const own = new FinanceClient(config, new FinanceTokenSource(config, config.secret as Uint8Array));
    const limits: number[] = [];
    own.followLimit((limit) => limits.push(limit));
    finance.setFaults({ latencyMs: 20 });
    try {
      await Promise.all(
        Array.from({ length: calls }, (_, n) =>
          own.importInvoice({
            ...push(),
            idempotencyKey: `platform-admin:digitalocean:x${n}:${normalized.sha256}`,
          }),
        ),
      );
    } finally {
      await own.close();
    }
    return { maxInFlight: finance.stats().maxInFlight, limits, connections: config.connections };
  }

  it('keeps its calls within FINANCE_CONNECTIONS: its limit never passes them, and followers hear it', async () => {
    const seen = await callsAtOnce({ PUSHER_MAX_IN_FLIGHT: '16', FINANCE_CONNECTIONS: '3' }, 40);
    expect(seen.limits[0]).toBe(3);
    expect(Math.max(...seen.limits)).toBe(3);
    expect(seen.maxInFlight).toBe(3);
  });

  it('opens as many connections as PUSHER_MAX_IN_FLIGHT when FINANCE_CONNECTIONS is empty, and its limit grows to it', async () => {
    const seen = await callsAtOnce({ PUSHER_MAX_IN_FLIGHT: '20' }, 200);
    expect(seen.connections).toBeUndefined();
    expect(seen.limits).toContain(20);
    expect(seen.maxInFlight).toBe(20);
  });

  it('answers created, then updated with the same finance id for a changed invoice', async () => {
    const changed = normalizeInvoice(april2026Event({ issued_at: null }));
    const created = await client.importInvoice(push());
    const updated = await client.importInvoice({
      body: changed.body,
      tenantId: 'platform-admin',
      idempotencyKey: `platform-admin:digitalocean:x:${changed.sha256}`,
    });
    expect(created.action).toBe('created');
    expect(updated).toEqual({ financeInvoiceId: created.financeInvoiceId, action: 'updated' });
  });

  it('gets finance’s stored answer, and imports nothing, when the same invoice is sent again', async () => {
    const first = await client.importInvoice(push());
    const again = await client.importInvoice(push());
    expect(again).toEqual(first);
    expect(finance.imports()).toHaveLength(1);
    expect(finance.stats().idempotentReplays).toBe(1);
  });

  it('retries 503s and succeeds', async () => {
    finance.setFaults({ failNext: { count: 2, status: 503 } });
    await expect(client.importInvoice(push())).resolves.toMatchObject({ action: 'created' });
    expect(retries).toEqual(['503', '503']);
  });

  it('gives up after its retries with a transient error', async () => {
    finance.setFaults({ failNext: { count: 3, status: 500 } });
    const error = await rejectionOf(client.importInvoice(push()));
    expect([error.code, error.failureClass, error.message]).toEqual([
      'FINANCE_UNAVAILABLE',
      'transient',
      'finance unavailable after retries: HTTP 500',
    ]);
  });

  it('treats a timeout as transient and retries it (finance de-duplicates)', async () => {
    finance.setFaults({ latencyMs: 5_000 }); // far past the 300 ms headers timeout, even on a busy machine
    const error = await rejectionOf(client.importInvoice(push()));
    expect([error.code, error.failureClass]).toEqual(['FINANCE_UNAVAILABLE', 'transient']);
    expect(retries).toEqual(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);
  });

  it('retries a 401 once with a fresh token, then reports a systemic failure', async () => {
    finance.setFaults({ failNext: { count: 1, status: 401 } });
    await expect(client.importInvoice(push())).resolves.toMatchObject({ action: 'created' });
    finance.setFaults({ failNext: { count: 2, status: 401 } });
    const error = await rejectionOf(client.importInvoice(push()));
    expect([error.code, error.failureClass]).toEqual(['FINANCE_UNAUTHORIZED', 'systemic']);
    expect(error.message).toBe(
      'finance refused a freshly minted token (HTTP 401): {"errors":{"detail":"injected fault: failNext"}}',
    );
  });

  it('blames a 403 on the tenant when the configured identity still passes the probe (an empty import gets 422)', async () => {
    const error = await rejectionOf(
      client.importInvoice(push(body.replace('"platform-admin"', '"tenant-b"'), 'tenant-b')),
    );
    expect([error.code, error.failureClass]).toEqual(['FINANCE_FORBIDDEN_FOR_TENANT', 'permanent']);
    expect(error.message).toBe(
      'finance refused to import for tenant tenant-b (HTTP 403): {"errors":{"detail":"token tenant platform-admin may not import for tenant-b"}}; the configured identity is still accepted',
    );
    expect(finance.stats().byStatus).toEqual({ '403': 2, '422': 1 });
    expect(finance.invoices()).toEqual([]);
  });

  it('calls a 403 systemic when the probe with the configured identity is refused too', async () => {
    finance.setFaults({ failNext: { count: 3, status: 403 } });
    const error = await rejectionOf(client.importInvoice(push()));
    expect([error.code, error.failureClass]).toEqual(['FINANCE_UNAUTHORIZED', 'systemic']);
    expect(error.message).toMatch(
      /^finance refused the configured identity \(FINANCE_TENANT_ID, FINANCE_ROLES\) \(HTTP 403\)/,
    );
  });

  it.each([
    [408, 'FINANCE_UNAVAILABLE', 'transient', '408,408'],
    [409, 'FINANCE_UNAVAILABLE', 'transient', '409,409'],
    [425, 'FINANCE_UNAVAILABLE', 'transient', '425,425'],
    [502, 'FINANCE_UNAVAILABLE', 'transient', '502,502'],
    [404, 'FINANCE_ENDPOINT_WRONG', 'systemic', ''],
    [405, 'FINANCE_ENDPOINT_WRONG', 'systemic', ''],
    [501, 'FINANCE_ENDPOINT_WRONG', 'systemic', ''],
    [400, 'FINANCE_REJECTED', 'permanent', ''],
    [413, 'FINANCE_REJECTED', 'permanent', ''],
    [418, 'FINANCE_UNEXPECTED_ANSWER', 'transient', ''],
  ])('decides HTTP %i as %s (%s), retries: [%s]', async (status, code, failureClass, retried) => {
    finance.setFaults({ failNext: { count: 3, status } });
    const error = await rejectionOf(client.importInvoice(push()));
    expect([error.code, error.failureClass]).toEqual([code, failureClass]);
    expect(retries.join(',')).toBe(retried);
    if (code === 'FINANCE_ENDPOINT_WRONG') expect(error.message).toMatch(/check SKYAI_FINANCE_URL$/);
  });

  it('names SKYAI_FINANCE_URL when the base URL has no import endpoint', async () => {
    const config = loadConfig({
      SKYAI_FINANCE_URL: `${finance.url}/wrong`,
      FINANCE_JWT_SECRET: SECRET,
    }).finance;
    const wrong = new FinanceClient(config, new FinanceTokenSource(config, config.secret as Uint8Array));
    const error = await rejectionOf(wrong.importInvoice(push()));
    await wrong.close();
    expect([error.code, error.failureClass]).toEqual(['FINANCE_ENDPOINT_WRONG', 'systemic']);
    expect(error.message).toBe(
      'finance has no import endpoint here (HTTP 404): {"errors":{"detail":"not found"}}: check SKYAI_FINANCE_URL',
    );
  });

  it('reports an unreadable 2xx as unexpected, a budgeted transient failure', async () => {
    const error = await rejectionOf(client.importInvoice(push('{"tenant_id":')));
    expect(error.code).toBe('FINANCE_REJECTED'); // the reference server answers 422 to broken JSON
    finance.setFaults({ failNext: { count: 1, status: 200 } });
    const unreadable = await rejectionOf(client.importInvoice(push()));
    expect([unreadable.code, unreadable.failureClass]).toEqual(['FINANCE_UNEXPECTED_ANSWER', 'transient']);
    expect(unreadable.message).toBe(
      'finance answered 200 without data.id/action: {"errors":{"detail":"injected fault: failNext"}}',
    );
  });

  it('stops a push at its deadline, retries included, and stops at once when the caller aborts', async () => {
    finance.setFaults({ latencyMs: 5_000 });
    const config = loadConfig({
      SKYAI_FINANCE_URL: finance.url,
      FINANCE_JWT_SECRET: SECRET,
      FINANCE_PUSH_DEADLINE_MS: '500',
    }).finance;
    const slow = new FinanceClient(config, new FinanceTokenSource(config, config.secret as Uint8Array));
    const started = Date.now();
    const late = await rejectionOf(slow.importInvoice(push()));
    expect([late.code, late.message]).toEqual([
      'FINANCE_UNAVAILABLE',
      'push deadline of 500 ms passed (FINANCE_PUSH_DEADLINE_MS)',
    ]);
    expect(Date.now() - started).toBeLessThan(2_000);
    const caller = new AbortController();
    const pending = rejectionOf(slow.importInvoice({ ...push(), signal: caller.signal }));
    caller.abort(new SyncError('PARTITION_REVOKED', 'partition 0 may be revoked'));
    expect((await pending).code).toBe('PARTITION_REVOKED');
    await slow.close();
  });

  it('sends the idempotency key with every import', async () => {
    await client.importInvoice(push());
    expect(finance.imports()[0]?.idempotency_key).toBe(push().idempotencyKey);
  });

  it('reports a request undici refuses to send (a newline in the Idempotency-Key) as permanent, without retrying or reaching finance', async () => {
    const refused = {
      ...push(),
      idempotencyKey: `platform-admin\nX-Injected: 1:digitalocean:x:${normalized.sha256}`,
    };
    const error = await rejectionOf(client.importInvoice(refused));
    expect([error.code, error.failureClass]).toEqual(['FINANCE_REQUEST_INVALID', 'permanent']);
    expect(error.message).toBe(
      'the HTTP client refused to send the import to finance: invalid idempotency-key header (UND_ERR_INVALID_ARG)',
    );
    expect(error.details).toEqual({ code: 'UND_ERR_INVALID_ARG' });
    expect(retries).toEqual([]);
    expect(finance.stats().requests).toBe(0);
    // The refusal is the request's alone: the next import goes through on the same client.
    await expect(client.importInvoice(push())).resolves.toMatchObject({ action: 'created' });
  });

  it('reports a 422 as permanent with finance’s field errors', async () => {
    const error = await rejectionOf(
      client.importInvoice(push(JSON.stringify({ ...JSON.parse(body), currency: 'usd' }))),
    );
    expect([error.code, error.failureClass]).toEqual(['FINANCE_REJECTED', 'permanent']);
    expect(error.message).toMatch(/^finance rejected the invoice \(HTTP 422\): \{"errors":\{"currency":\[/);
  });
});
