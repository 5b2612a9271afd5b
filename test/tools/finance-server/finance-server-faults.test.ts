import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FinanceServer, startFinanceServer } from '../../../tools/finance-server/finance-server.ts';
import { callJson, digitalOceanApril2026, postImport, TEST_SECRET } from './finance-test-kit.ts';

let finance: FinanceServer;
// Its own pool, so the dropped-connection test cannot disturb the global dispatcher of other files.
const agent = new Agent({ connections: 10 });

beforeAll(async () => {
  finance = await startFinanceServer({ secret: TEST_SECRET });
});
afterAll(async () => {
  await finance.close();
  await agent.close();
});
beforeEach(() => finance.reset());

const importOnce = (externalId = 'INV-2026-04-0001') =>
  postImport(finance.url, digitalOceanApril2026({ external_id: externalId }), { dispatcher: agent });

describe('latency and in-flight counting', () => {
  it('holds 5 concurrent imports for 200 ms each and counts all 5 in flight at once', async () => {
    finance.setFaults({ latencyMs: 200 });
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => importOnce(`INV-${n}`)));

    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201]);
    expect(finance.stats()).toEqual({
      requests: 5,
      byStatus: { '201': 5 },
      dropped: 0,
      inFlight: 0,
      maxInFlight: 5,
      idempotentReplays: 0,
    });
    for (const entry of finance.imports()) {
      // Node timers may fire up to a millisecond early against performance.now().
      expect(entry.finishedAtMs - entry.arrivedAtMs).toBeGreaterThanOrEqual(199);
    }
  });

  it('counts sequential imports as one in flight at most', async () => {
    await importOnce();
    await importOnce();
    expect(finance.stats()).toMatchObject({ requests: 2, byStatus: { '201': 1, '200': 1 }, maxInFlight: 1 });
  });
});

describe('deterministic faults', () => {
  it('fails exactly the next N imports with the given status, then imports again', async () => {
    finance.setFaults({ failNext: { count: 2, status: 500 } });
    const statuses = [(await importOnce()).status, (await importOnce()).status, (await importOnce()).status];

    expect(statuses).toEqual([500, 500, 201]);
    expect(finance.invoices()).toHaveLength(1);
    expect(finance.faults().failNext).toBeNull();
  });

  it('answers an injected 422 with the field-error shape and an injected 401 with a detail', async () => {
    finance.setFaults({ failNext: { status: 422 } });
    expect(await importOnce()).toMatchObject({
      status: 422,
      body: { errors: { body: ['injected fault: failNext'] } },
    });
    finance.setFaults({ failNext: { status: 401 } });
    expect(await importOnce()).toMatchObject({
      status: 401,
      body: { errors: { detail: 'injected fault: failNext' } },
    });
  });

  it('answers 429 with Retry-After while rate limited', async () => {
    finance.setFaults({ rateLimit: { rate: 1, retryAfterSeconds: 7 } });
    const answer = await importOnce();

    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('7');
    expect(answer.body).toEqual({ errors: { detail: 'injected fault: rate limited' } });
    expect(finance.invoices()).toEqual([]);
  });

  it('answers errorStatus for every import at errorRate 1', async () => {
    finance.setFaults({ errorRate: 1, errorStatus: 502 });
    expect((await importOnce()).status).toBe(502);
    expect(finance.stats().byStatus).toEqual({ '502': 1 });
  });
});

describe('outage', () => {
  it('answers 503 until the outage is cleared, while admin endpoints keep answering', async () => {
    finance.setFaults({ outage: { forMs: 60_000 } });
    expect(await importOnce()).toMatchObject({
      status: 503,
      body: { errors: { detail: 'injected fault: finance outage' } },
    });
    expect((await callJson(`${finance.url}/_admin/stats`, { dispatcher: agent })).status).toBe(200);
    expect((await callJson(`${finance.url}/healthz`, { dispatcher: agent })).body).toEqual({ status: 'ok' });

    finance.setFaults({ outage: null });
    expect((await importOnce()).status).toBe(201);
  });

  it('drops the connection in drop mode without importing', async () => {
    finance.setFaults({ outage: { mode: 'drop' } });
    await expect(importOnce()).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(finance.stats()).toMatchObject({ requests: 1, dropped: 1, byStatus: {}, inFlight: 0 });
    expect(finance.invoices()).toEqual([]);
  });

  it('is over once its end time has passed', async () => {
    finance.setFaults({ outage: { until: new Date(Date.now() - 1).toISOString() } });
    expect((await importOnce()).status).toBe(201);
  });
});

describe('rejected invoices', () => {
  it('answers 422 naming external_id for a rejected invoice and imports the others', async () => {
    finance.setFaults({ rejectInvoices: ['INV-REJECTED'] });
    const rejected = await importOnce('INV-REJECTED');
    expect(rejected.status).toBe(422);
    expect(rejected.body).toEqual({
      errors: { external_id: ['is rejected by finance (injected fault: rejectInvoices)'] },
    });
    expect((await importOnce('INV-ACCEPTED')).status).toBe(201);
    expect(finance.invoices().map((row) => row.external_id)).toEqual(['INV-ACCEPTED']);
  });
});

describe('admin endpoints over HTTP', () => {
  const admin = (path: string, method: 'GET' | 'PUT' | 'POST' = 'GET', body?: unknown) =>
    callJson(`${finance.url}/_admin/${path}`, { method, body, dispatcher: agent });

  it('sets faults with PUT /_admin/faults and answers the resulting faults', async () => {
    const answer = await admin('faults', 'PUT', {
      failNext: { count: 1, status: 429, retryAfterSeconds: 2 },
    });
    expect(answer).toEqual({
      status: 200,
      headers: expect.any(Object),
      body: {
        data: {
          latencyMs: 0,
          errorRate: 0,
          errorStatus: 503,
          rateLimit: null,
          outage: null,
          failNext: { count: 1, status: 429, retryAfterSeconds: 2 },
          refuseTenants: [],
          rejectInvoices: [],
          concurrencyLimit: null,
          seed: 1,
        },
      },
    });
    expect((await importOnce()).headers['retry-after']).toBe('2');
  });

  it('refuses an invalid faults patch with 400 and field errors, changing nothing', async () => {
    const answer = await admin('faults', 'PUT', { errorRate: 2, latency: 100 });
    expect(answer.status).toBe(400);
    expect(Object.keys((answer.body as { errors: object }).errors).sort()).toEqual(['body', 'errorRate']);
    expect(finance.faults().errorRate).toBe(0);
  });

  it('reports stats and clears rows, vendors, stats and faults with POST /_admin/reset', async () => {
    await importOnce();
    finance.setFaults({ latencyMs: 5 });
    expect((await admin('stats')).body).toEqual({
      data: {
        requests: 1,
        byStatus: { '201': 1 },
        dropped: 0,
        inFlight: 0,
        maxInFlight: 1,
        idempotentReplays: 0,
      },
    });

    expect((await admin('reset', 'POST')).body).toEqual({ data: { reset: true } });
    expect((await admin('invoices')).body).toEqual({ data: [] });
    expect((await admin('vendors')).body).toEqual({ data: [] });
    expect((await admin('imports')).body).toEqual({ data: [] });
    expect(finance.stats()).toEqual({
      requests: 0,
      byStatus: {},
      dropped: 0,
      inFlight: 0,
      maxInFlight: 0,
      idempotentReplays: 0,
    });
    expect(finance.faults().latencyMs).toBe(0);
  });
});
