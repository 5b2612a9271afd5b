import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FinanceServer, startFinanceServer } from '../../../tools/finance-server/finance-server.ts';
import { callJson, digitalOceanApril2026, mintToken, postImport, TEST_SECRET } from './finance-test-kit.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let finance: FinanceServer;

beforeAll(async () => {
  finance = await startFinanceServer({ secret: TEST_SECRET });
});
afterAll(() => finance.close());
beforeEach(() => finance.reset());

describe('import-invoice de-duplication', () => {
  it('creates the row once, then answers updated with the same id and still one row', async () => {
    const first = await postImport(finance.url, digitalOceanApril2026());
    expect(first.status).toBe(201);
    const { id } = (first.body as { data: { id: string } }).data;
    expect(first.body).toEqual({ data: { id, action: 'created' } });
    expect(id).toMatch(UUID);

    const again = await postImport(finance.url, digitalOceanApril2026({ issued_at: null }));
    expect(again).toMatchObject({ status: 200, body: { data: { id, action: 'updated' } } });

    const rows = finance.invoices();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id,
      tenant_id: 'platform-admin',
      source: 'digitalocean',
      external_id: 'INV-2026-04-0001',
      amount_gross_minor: 8692,
      amount_tax_minor: 790,
      amount_net_minor: 7902,
      issued_at: null, // replaced by the second payload
      import_count: 2,
    });
    expect(rows[0]?.lines).toHaveLength(33);
  });

  it('creates the vendor once under the tenant with category cloud and links every row to it', async () => {
    await postImport(finance.url, digitalOceanApril2026());
    await postImport(finance.url, digitalOceanApril2026({ external_id: 'INV-2026-05-0001' }));

    const vendors = finance.vendors();
    expect(vendors).toEqual([
      {
        id: expect.stringMatching(UUID),
        tenant_id: 'platform-admin',
        name: 'DigitalOcean',
        category: 'cloud',
        inserted_at: expect.any(String),
      },
    ]);
    expect(finance.invoices().map((row) => row.vendor_id)).toEqual([vendors[0]?.id, vendors[0]?.id]);
    const overHttp = await callJson(`${finance.url}/_admin/invoices`);
    expect(overHttp.body).toMatchObject({ data: [{ vendor: vendors[0] }, { vendor: vendors[0] }] });
  });

  it('logs each accepted import in order with the sha256 of the exact body', async () => {
    const body = digitalOceanApril2026();
    await postImport(finance.url, body);
    await postImport(finance.url, body);

    const sha256 = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const log = (await callJson(`${finance.url}/_admin/imports`)).body as { data: unknown[] };
    expect(log.data).toEqual([
      expect.objectContaining({
        sequence: 1,
        action: 'created',
        body_sha256: sha256,
        external_id: 'INV-2026-04-0001',
      }),
      expect.objectContaining({
        sequence: 2,
        action: 'updated',
        body_sha256: sha256,
        source: 'digitalocean',
      }),
    ]);
  });
});

describe('import-invoice token check', () => {
  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['a bad signature', { secret: 'another-secret-of-at-least-32-bytes-long!!' }, 'token signature invalid'],
    ['an expired token', { issuedAt: now() - 120, expiresAt: now() - 60 }, 'token expired'],
    ['a wrong audience', { audience: 'someone_else' }, 'token claim invalid: unexpected "aud" claim value'],
    ['a wrong issuer', { issuer: 'someone_else' }, 'token claim invalid: unexpected "iss" claim value'],
    ['a disallowed algorithm', { algorithm: 'HS256' }, 'token algorithm not allowed'],
    ['a refresh token', { typ: 'refresh' }, 'token typ claim must be "access"'],
    ['a lifetime above 300 s', { issuedAt: now(), expiresAt: now() + 301 }, 'token lifetime exceeds 300 s'],
  ])('answers 401 for %s', async (_case, overrides, detail) => {
    const answer = await postImport(finance.url, digitalOceanApril2026(), {
      token: await mintToken(overrides),
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ errors: { detail } });
    expect(answer.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('answers 401 without a bearer token', async () => {
    const answer = await callJson(`${finance.url}/api/v1/integrations/cloud/import-invoice`, {
      method: 'POST',
      body: digitalOceanApril2026(),
    });
    expect(answer).toMatchObject({ status: 401, body: { errors: { detail: 'missing bearer token' } } });
  });

  it('answers 403 for a valid token without the admin role', async () => {
    const token = await mintToken({ roles: ['viewer'] });
    const answer = await postImport(finance.url, digitalOceanApril2026(), { token });
    expect(answer).toMatchObject({ status: 403, body: { errors: { detail: 'token lacks the admin role' } } });
    expect(finance.invoices()).toEqual([]);
  });

  it('answers 403 when the body is for another tenant than the token', async () => {
    const answer = await postImport(finance.url, digitalOceanApril2026({ tenant_id: 'acme' }));
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      errors: { detail: 'token tenant platform-admin may not import for acme' },
    });
  });
});

describe('startFinanceServer options', () => {
  it('refuses algorithms that are not HMAC, since the contract is a shared secret', async () => {
    await expect(startFinanceServer({ secret: TEST_SECRET, algorithms: ['RS256'] })).rejects.toThrow(
      'finance server: unsupported JWT algorithm RS256 (use HS256, HS384 or HS512)',
    );
  });

  it('accepts tokens signed with a configured algorithm, issuer, audience and write role', async () => {
    const custom = await startFinanceServer({
      secret: new TextEncoder().encode(TEST_SECRET),
      algorithms: ['HS256'],
      issuer: 'issuer-x',
      audience: 'audience-y',
      writeRole: 'finance:write',
    });
    try {
      const token = await mintToken({
        algorithm: 'HS256',
        issuer: 'issuer-x',
        audience: 'audience-y',
        roles: ['finance:write'],
      });
      expect((await postImport(custom.url, digitalOceanApril2026(), { token })).status).toBe(201);
    } finally {
      await custom.close();
    }
  });
});

describe('import-invoice payload check', () => {
  it('answers 422 with one entry per invalid field', async () => {
    const payload = digitalOceanApril2026({ source: '', invoice_period: '2026-4-1', currency: 'usd' });
    delete payload.amount_net_minor;
    (payload.lines as Array<Record<string, unknown>>)[32] = {
      description: 'GST',
      amount_minor: 7.9,
      kind: 'gst',
    };

    const answer = await postImport(finance.url, payload);
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      errors: {
        source: ['must be a non-empty string'],
        invoice_period: ['must be a date YYYY-MM-DD'],
        currency: ['must be a 3-letter uppercase ISO 4217 code'],
        amount_net_minor: ['must be a safe integer in minor units'],
        'lines.32.amount_minor': ['must be a safe integer in minor units'],
        'lines.32.kind': ['must be "net" or "tax"'],
      },
    });
  });

  it('answers 422 when the amounts do not add up', async () => {
    const answer = await postImport(
      finance.url,
      digitalOceanApril2026({ amount_gross_minor: 9000, amount_tax_minor: 98 }),
    );
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      errors: {
        amount_gross_minor: ['must equal amount_tax_minor + amount_net_minor'],
        amount_tax_minor: ['must equal the sum of tax lines (790)'],
      },
    });
  });

  it('answers 422 for a body that is not JSON', async () => {
    const answer = await postImport(finance.url, undefined);
    expect(answer).toMatchObject({ status: 422, body: { errors: { body: ['must be valid JSON'] } } });
  });
});
