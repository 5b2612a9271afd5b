import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FinanceServer, startFinanceServer } from '../../../tools/finance-server/finance-server.ts';
import {
  digitalOceanApril2026,
  idempotencyKeyOf,
  mintToken,
  postImport,
  TEST_SECRET,
} from './finance-test-kit.ts';

let finance: FinanceServer;

beforeAll(async () => {
  finance = await startFinanceServer({ secret: TEST_SECRET });
});
afterAll(() => finance.close());
beforeEach(() => finance.reset());

const april = digitalOceanApril2026();
const aprilKey = idempotencyKeyOf(april);

describe('a repeated Idempotency-Key', () => {
  it('gets the stored 201 and body, without touching the row or logging a new import', async () => {
    const first = await postImport(finance.url, april, { idempotencyKey: aprilKey });
    const { id } = (first.body as { data: { id: string } }).data;
    const [rowBefore] = finance.invoices();
    await new Promise((resolve) => setTimeout(resolve, 5)); // a touched row would show a later updated_at

    const again = await postImport(finance.url, april, { idempotencyKey: aprilKey });

    expect(first).toMatchObject({ status: 201, body: { data: { id, action: 'created' } } });
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.status).toBe(201);
    expect(again.body).toEqual({ data: { id, action: 'created' } });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(finance.invoices()).toEqual([rowBefore]);
    expect(finance.invoices()[0]).toMatchObject({ import_count: 1, updated_at: rowBefore?.updated_at });
    expect(finance.imports().map((entry) => [entry.action, entry.idempotency_key])).toEqual([
      ['created', aprilKey],
    ]);
    expect(finance.stats()).toEqual({
      requests: 2,
      byStatus: { '201': 2 },
      dropped: 0,
      inFlight: 0,
      maxInFlight: 1,
      idempotentReplays: 1,
    });
  });

  it('gets the stored 200 updated for a repeated update, while a changed payload (a new key) is applied', async () => {
    const changed = digitalOceanApril2026({ issued_at: null });
    const changedKey = idempotencyKeyOf(changed);
    await postImport(finance.url, april, { idempotencyKey: aprilKey });
    const update = await postImport(finance.url, changed, { idempotencyKey: changedKey });
    const { id } = (update.body as { data: { id: string } }).data;

    const again = await postImport(finance.url, changed, { idempotencyKey: changedKey });

    expect(changedKey).not.toBe(aprilKey);
    expect(update).toMatchObject({ status: 200, body: { data: { id, action: 'updated' } } });
    expect(again).toMatchObject({ status: 200, body: { data: { id, action: 'updated' } } });
    expect(finance.invoices()[0]).toMatchObject({ id, issued_at: null, import_count: 2 });
    expect(finance.stats()).toMatchObject({ byStatus: { '201': 1, '200': 2 }, idempotentReplays: 1 });
  });

  it('is applied again when the body differs from the one the key was first seen with', async () => {
    await postImport(finance.url, april, { idempotencyKey: aprilKey });
    const other = digitalOceanApril2026({ issued_at: null });
    const answer = await postImport(finance.url, other, { idempotencyKey: aprilKey });

    expect(answer.status).toBe(200);
    expect(answer.headers['idempotent-replayed']).toBeUndefined();
    expect(finance.invoices()[0]).toMatchObject({ issued_at: null, import_count: 2 });
    expect(finance.stats().idempotentReplays).toBe(0);
  });

  it('is a new request when another tenant presents it', async () => {
    await postImport(finance.url, april, { idempotencyKey: aprilKey });
    const acme = digitalOceanApril2026({ tenant_id: 'acme' });
    const token = await mintToken({ tenantId: 'acme' });
    const answer = await postImport(finance.url, acme, { token, idempotencyKey: aprilKey });

    expect(answer).toMatchObject({ status: 201, body: { data: { action: 'created' } } });
    expect(finance.invoices().map((row) => row.tenant_id)).toEqual(['platform-admin', 'acme']);
    expect(finance.stats().idempotentReplays).toBe(0);
  });

  it('is applied again after a reset, which forgets every key', async () => {
    await postImport(finance.url, april, { idempotencyKey: aprilKey });
    finance.reset();
    const answer = await postImport(finance.url, april, { idempotencyKey: aprilKey });
    expect(answer.status).toBe(201);
    expect(finance.imports()).toHaveLength(1);
    expect(finance.stats().idempotentReplays).toBe(0);
  });

  it('without the header, every repeat is applied as before', async () => {
    await postImport(finance.url, april);
    const again = await postImport(finance.url, april);
    expect(again).toMatchObject({ status: 200, body: { data: { action: 'updated' } } });
    expect(finance.stats().idempotentReplays).toBe(0);
  });
});

describe('checks that come before the stored answer', () => {
  const now = () => Math.floor(Date.now() / 1000);
  beforeEach(async () => {
    await postImport(finance.url, april, { idempotencyKey: aprilKey });
    finance.resetStats();
  });

  it.each([
    ['an expired token', { issuedAt: now() - 120, expiresAt: now() - 60 }, 401, 'token expired'],
    ['a token without the write role', { roles: ['viewer'] }, 403, 'token lacks the admin role'],
    [
      'a token for another tenant',
      { tenantId: 'acme' },
      403,
      'token tenant acme may not import for platform-admin',
    ],
  ])('answers %s with its refusal, not the stored answer', async (_case, overrides, status, detail) => {
    const token = await mintToken(overrides);
    const answer = await postImport(finance.url, april, { token, idempotencyKey: aprilKey });
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ errors: { detail } });
    expect(finance.stats().idempotentReplays).toBe(0);
  });

  it('answers an invalid body under a known key with 422', async () => {
    const answer = await postImport(finance.url, {}, { idempotencyKey: aprilKey });
    expect(answer.status).toBe(422);
    expect(finance.stats().idempotentReplays).toBe(0);
  });

  it('answers a suspended tenant and an injected fault with them, not the stored answer', async () => {
    finance.setFaults({ refuseTenants: ['platform-admin'] });
    const refused = await postImport(finance.url, april, { idempotencyKey: aprilKey });
    finance.resetFaults();
    finance.setFaults({ failNext: { status: 503 } });
    const failed = await postImport(finance.url, april, { idempotencyKey: aprilKey });

    expect(refused).toMatchObject({
      status: 403,
      body: { errors: { detail: 'imports for tenant platform-admin are suspended' } },
    });
    expect(failed.status).toBe(503);
    expect(finance.stats()).toMatchObject({ byStatus: { '403': 1, '503': 1 }, idempotentReplays: 0 });
  });
});

describe('the bounded key store', () => {
  it('forgets the least recently used key first, which is then applied again', async () => {
    const small = await startFinanceServer({ secret: TEST_SECRET, idempotencyKeys: 2 });
    try {
      const invoices = ['INV-1', 'INV-2', 'INV-3'].map((external_id) =>
        digitalOceanApril2026({ external_id }),
      );
      const post = (body: Record<string, unknown>) =>
        postImport(small.url, body, { idempotencyKey: idempotencyKeyOf(body) });
      for (const body of invoices) await post(body);

      const [first, , third] = invoices as [Record<string, unknown>, unknown, Record<string, unknown>];
      const forgotten = await post(first);
      const remembered = await post(third);
      expect(forgotten).toMatchObject({ status: 200, body: { data: { action: 'updated' } } });
      expect(remembered).toMatchObject({ status: 201, body: { data: { action: 'created' } } });
      expect(small.stats().idempotentReplays).toBe(1);
      expect(small.imports().map((entry) => entry.external_id)).toEqual(['INV-1', 'INV-2', 'INV-3', 'INV-1']);
    } finally {
      await small.close();
    }
  });
});
