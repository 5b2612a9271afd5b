import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { type Dispatcher, request } from 'undici';

/**
 * What the tests of the reference finance server send it: tokens minted the way the service mints
 * them (DESIGN.md, "Finance contract"), the seed's April 2026 DigitalOcean invoice, and plain
 * undici requests. Each response body is consumed, as undici requires.
 */
export const TEST_SECRET = 'test-secret-of-at-least-32-bytes-for-hs512!';
export const IMPORT_PATH = '/api/v1/integrations/cloud/import-invoice';

export interface TokenOverrides {
  secret?: string;
  algorithm?: string;
  issuer?: string;
  audience?: string;
  typ?: string;
  tenantId?: string;
  roles?: string[];
  /** Epoch seconds; `exp` is 60 s later unless `expiresAt` is given. */
  issuedAt?: number;
  expiresAt?: number;
}

export async function mintToken(overrides: TokenOverrides = {}): Promise<string> {
  const tenantId = overrides.tenantId ?? 'platform-admin';
  const issuedAt = overrides.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT({
    typ: overrides.typ ?? 'access',
    tenant_id: tenantId,
    roles: overrides.roles ?? ['admin'],
  })
    .setProtectedHeader({ alg: overrides.algorithm ?? 'HS512' })
    .setIssuer(overrides.issuer ?? 'skyai_finance')
    .setAudience(overrides.audience ?? 'skyai_finance')
    .setSubject(tenantId)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(overrides.expiresAt ?? issuedAt + 60)
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(overrides.secret ?? TEST_SECRET));
}

/** The seed's proof invoice: 33 lines, gross $86.92 of which $7.90 GST. */
export function digitalOceanApril2026(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const netLines = Array.from({ length: 32 }, (_, index) => ({
    description: `Droplet ${index + 1}`,
    amount_minor: index === 0 ? 7902 - 31 * 246 : 246,
    kind: 'net',
  }));
  return {
    tenant_id: 'platform-admin',
    source: 'digitalocean',
    external_id: 'INV-2026-04-0001',
    vendor: { name: 'DigitalOcean', category: 'cloud' },
    invoice_period: '2026-04-01',
    issued_at: '2026-05-01T00:00:00.000Z',
    currency: 'USD',
    amount_gross_minor: 8692,
    amount_tax_minor: 790,
    amount_net_minor: 7902,
    lines: [...netLines, { description: 'GST (10%)', amount_minor: 790, kind: 'tax' }],
    ...overrides,
  };
}

export interface JsonAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export async function callJson(
  url: string,
  options: {
    method?: Dispatcher.HttpMethod;
    token?: string;
    body?: unknown;
    dispatcher?: Dispatcher;
    idempotencyKey?: string;
  } = {},
): Promise<JsonAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
  const answer = await request(url, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    dispatcher: options.dispatcher,
  });
  const text = await answer.body.text();
  return { status: answer.statusCode, headers: answer.headers, body: text === '' ? null : JSON.parse(text) };
}

/** POSTs an import with a freshly minted, valid token unless one is given. */
export async function postImport(
  baseUrl: string,
  body: unknown,
  options: { token?: string; dispatcher?: Dispatcher; idempotencyKey?: string } = {},
): Promise<JsonAnswer> {
  const token = options.token ?? (await mintToken());
  return callJson(`${baseUrl}${IMPORT_PATH}`, {
    method: 'POST',
    token,
    body,
    dispatcher: options.dispatcher,
    idempotencyKey: options.idempotencyKey,
  });
}

/** The key the service sends: `{tenant_id}:{source}:{external_id}:{sha256 of the exact body}`. */
export function idempotencyKeyOf(body: Record<string, unknown>): string {
  const sha256 = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return `${body.tenant_id}:${body.source}:${body.external_id}:${sha256}`;
}
