import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { SyncError } from '../../../src/failures/errors.ts';
import { isoDateToDays } from '../../../src/invoice/calendar-date.ts';
import type { InvoicePushedToFinance } from '../../../src/invoice/invoice-events.ts';
import { CloudInvoice } from '../../../src/platform/database/cloud-invoice.entity.ts';
import { CloudInvoiceRepository } from '../../../src/platform/database/cloud-invoice.repository.ts';
import { openDatabase, runMigrations } from '../../../src/platform/database/database.ts';
import { ormConfig } from '../../../src/platform/database/orm-config.ts';
import { PUSHED_AT, pushedEvent } from '../../fixtures/pushed-event.ts';
import { databaseUrl, freshDatabaseName, useFreshDatabase } from './fresh-database.ts';

const database = useFreshDatabase();

const UNREACHABLE_URL = 'postgres://postgres@127.0.0.1:1/ifs_unreachable';

const pushed = pushedEvent;

/** Rows holding the event's provider invoice id, under any tenant. */
async function rowCount(event: InvoicePushedToFinance): Promise<number> {
  const [row] = await database()
    .orm.em.fork()
    .execute<{ n: string }[]>(
      'select count(*) as n from cloud_invoices where provider = ? and provider_invoice_id = ?',
      [event.provider, event.provider_invoice_id],
    );
  return Number(row?.n);
}

async function findRow(event: InvoicePushedToFinance) {
  return database().repository.find(event.tenant_id, event.provider, event.provider_invoice_id);
}

describe('migrations', () => {
  it('create cloud_invoices with its columns and the (tenant_id, provider, provider_invoice_id) unique constraint', async () => {
    const em = database().orm.em.fork();
    const columns = await em.execute(
      `select column_name, data_type, is_nullable, column_default from information_schema.columns
        where table_name = 'cloud_invoices' order by ordinal_position`,
    );
    expect(
      columns.map((c) => `${c.column_name} ${c.data_type} ${c.is_nullable === 'YES' ? 'null' : 'not null'}`),
    ).toEqual([
      'id uuid not null',
      'tenant_id text not null',
      'provider text not null',
      'provider_invoice_id text not null',
      'invoice_period date not null',
      'amount_cents bigint null',
      'status text null',
      'issued_at timestamp with time zone null',
      'csv_fetched_at timestamp with time zone null',
      'lines_ingested_at timestamp with time zone null',
      'pushed_to_finance_at timestamp with time zone null',
      'finance_invoice_id text null',
      'finance_payload_sha256 text null',
      'raw jsonb null',
      'inserted_at timestamp with time zone not null',
      'updated_at timestamp with time zone not null',
    ]);
    expect(columns.find((c) => c.column_name === 'id')?.column_default).toBe('gen_random_uuid()');
    expect(columns.find((c) => c.column_name === 'status')?.column_default).toBe(`'open'::text`);

    const indexes = await em.execute(
      `select indexname, indexdef from pg_indexes where tablename = 'cloud_invoices' order by indexname`,
    );
    expect(indexes).toEqual([
      { indexname: 'cloud_invoices_pkey', indexdef: expect.stringMatching(/UNIQUE INDEX .* \(id\)$/) },
      {
        indexname: 'cloud_invoices_tenant_id_provider_provider_invoice_id_unique',
        indexdef: expect.stringMatching(/UNIQUE INDEX .* \(tenant_id, provider, provider_invoice_id\)$/),
      },
    ]);
  });

  it('are recorded as applied, and running them again applies nothing', async () => {
    const applied = await database()
      .orm.em.fork()
      .execute('select name from mikro_orm_migrations order by id');
    expect(applied).toEqual([
      { name: 'Migration20261124212746_create_cloud_invoices' },
      { name: 'Migration20261125125000_cloud_invoices_unique_per_tenant' },
      { name: 'Migration20261204210000_create_audit_runs' },
      { name: 'Migration20261204220000_create_tenant_pauses' },
    ]);
    expect(await runMigrations(database().url)).toEqual([]);
  });

  it('leave nothing for the schema generator to change: the entity agrees with them', async () => {
    expect(await database().orm.schema.getUpdateSchemaSQL()).toBe('');
  });
});

describe('CloudInvoiceRepository.recordPush', () => {
  it('creates an open row carrying the push', async () => {
    // Quotes and placeholder-like text must reach the row verbatim.
    const event = pushed({ provider_invoice_id: `INV-'?:provider-${randomUUID()}` });

    expect(await database().repository.recordPush(event)).toBe('recorded');

    const row = await findRow(event);
    expect(row).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tenant_id: 'platform-admin',
      provider: 'digitalocean',
      provider_invoice_id: event.provider_invoice_id,
      invoice_period: '2026-04-01',
      amount_cents: 8692,
      status: 'open',
      issued_at: null,
      csv_fetched_at: null,
      lines_ingested_at: null,
      pushed_to_finance_at: new Date(PUSHED_AT),
      finance_invoice_id: event.finance_invoice_id,
      finance_payload_sha256: 'a'.repeat(64),
      raw: null,
      inserted_at: expect.any(Date),
      updated_at: expect.any(Date),
    });
    expect(row?.updated_at).toEqual(row?.inserted_at);
  });

  it('is idempotent: the same event twice leaves one identical row', async () => {
    const event = pushed();
    await database().repository.recordPush(event);
    const first = await findRow(event);

    expect(await database().repository.recordPush(event)).toBe('recorded');

    expect(await findRow(event)).toEqual(first);
    expect(await rowCount(event)).toBe(1);
  });

  it('ignores an event older than the recorded push and answers stale', async () => {
    const newer = pushed();
    await database().repository.recordPush(newer);
    const before = await findRow(newer);
    const older = pushed({
      provider_invoice_id: newer.provider_invoice_id,
      pushed_at: PUSHED_AT - 1,
      finance_invoice_id: randomUUID(),
      amount_gross_minor: 1,
      payload_sha256: 'b'.repeat(64),
    });

    expect(await database().repository.recordPush(older)).toBe('stale');

    expect(await findRow(newer)).toEqual(before);
    expect(await rowCount(newer)).toBe(1);
  });

  it('applies a newer event over the recorded one, keeping id, status and inserted_at', async () => {
    const older = pushed();
    await database().repository.recordPush(older);
    const before = await findRow(older);
    const newer = pushed({
      provider_invoice_id: older.provider_invoice_id,
      invoice_period: isoDateToDays('2026-05-01') as number,
      pushed_at: PUSHED_AT + 60_000,
      finance_invoice_id: randomUUID(),
      amount_gross_minor: 12_345,
      payload_sha256: 'c'.repeat(64),
    });

    expect(await database().repository.recordPush(newer)).toBe('recorded');

    const after = await findRow(older);
    expect(after).toEqual({
      ...before,
      invoice_period: '2026-05-01',
      amount_cents: 12_345,
      pushed_to_finance_at: new Date(PUSHED_AT + 60_000),
      finance_invoice_id: newer.finance_invoice_id,
      finance_payload_sha256: 'c'.repeat(64),
      updated_at: expect.any(Date),
    });
    expect(after?.updated_at.getTime()).toBeGreaterThanOrEqual(before?.updated_at.getTime() ?? Infinity);
  });

  it('keeps the same invoice id under two tenants as two rows, each with its own finance id', async () => {
    const platform = pushed();
    const acme = pushed({
      tenant_id: 'tenant-acme',
      provider_invoice_id: platform.provider_invoice_id,
      pushed_at: PUSHED_AT + 60_000, // newer: must not overwrite the other tenant's row either
      finance_invoice_id: randomUUID(),
      payload_sha256: 'e'.repeat(64),
    });

    expect(await database().repository.recordPush(platform)).toBe('recorded');
    expect(await database().repository.recordPush(acme)).toBe('recorded');

    expect(await rowCount(platform)).toBe(2);
    expect(await findRow(platform)).toMatchObject({
      tenant_id: 'platform-admin',
      finance_invoice_id: platform.finance_invoice_id,
      finance_payload_sha256: 'a'.repeat(64),
      pushed_to_finance_at: new Date(PUSHED_AT),
    });
    expect(await findRow(acme)).toMatchObject({
      tenant_id: 'tenant-acme',
      finance_invoice_id: acme.finance_invoice_id,
      finance_payload_sha256: 'e'.repeat(64),
    });
  });

  it('answers stale only for an older push of the same tenant', async () => {
    const newer = pushed({ pushed_at: PUSHED_AT + 60_000 });
    const otherTenantOlder = pushed({
      tenant_id: 'tenant-acme',
      provider_invoice_id: newer.provider_invoice_id,
      finance_invoice_id: randomUUID(),
    });
    await database().repository.recordPush(newer);

    expect(await database().repository.recordPush(otherTenantOlder)).toBe('recorded');
    expect((await findRow(otherTenantOlder))?.finance_invoice_id).toBe(otherTenantOlder.finance_invoice_id);
  });
  it('fills in a row another stage created before any push, keeping its status and raw data', async () => {
    const event = pushed();
    const em = database().orm.em.fork();
    const ingested = em.create(CloudInvoice, {
      tenant_id: event.tenant_id,
      provider: event.provider,
      provider_invoice_id: event.provider_invoice_id,
      invoice_period: '2026-04-01',
      status: 'lines_ingested',
      lines_ingested_at: new Date(PUSHED_AT - 60_000),
      raw: { source: 'csv' },
    });
    await em.flush();
    const before = await findRow(event);

    expect(await database().repository.recordPush(event)).toBe('recorded');

    expect(await findRow(event)).toEqual({
      ...before,
      id: ingested.id,
      tenant_id: 'platform-admin',
      amount_cents: 8692,
      status: 'lines_ingested',
      raw: { source: 'csv' },
      pushed_to_finance_at: new Date(PUSHED_AT),
      finance_invoice_id: event.finance_invoice_id,
      finance_payload_sha256: 'a'.repeat(64),
      updated_at: expect.any(Date),
    });
  });
});

describe('CloudInvoiceRepository.recordedPayloadSha', () => {
  it('returns the hash of the recorded push', async () => {
    const event = pushed({ payload_sha256: 'd'.repeat(64) });
    await database().repository.recordPush(event);

    expect(
      await database().repository.recordedPayloadSha(
        event.tenant_id,
        event.provider,
        event.provider_invoice_id,
      ),
    ).toBe('d'.repeat(64));
  });

  it("returns each tenant's own hash for the same invoice id, and undefined for a tenant without it", async () => {
    const platform = pushed({ payload_sha256: 'd'.repeat(64) });
    const acme = pushed({
      tenant_id: 'tenant-acme',
      provider_invoice_id: platform.provider_invoice_id,
      payload_sha256: 'e'.repeat(64),
    });
    await database().repository.recordPush(platform);
    await database().repository.recordPush(acme);
    const key = (tenantId: string) => ({
      tenantId,
      provider: platform.provider,
      providerInvoiceId: platform.provider_invoice_id,
    });

    expect(
      await database().repository.recordedPayloadShas([
        key('tenant-acme'),
        key('tenant-other'),
        key('platform-admin'),
      ]),
    ).toEqual(['e'.repeat(64), undefined, 'd'.repeat(64)]);
  });

  it('returns undefined for an invoice never recorded', async () => {
    expect(
      await database().repository.recordedPayloadSha('platform-admin', 'digitalocean', `INV-${randomUUID()}`),
    ).toBeUndefined();
  });
});

describe('an unavailable database', () => {
  const unavailable = { name: 'SyncError', code: 'DATABASE_UNAVAILABLE', failureClass: 'systemic' };

  it('fails openDatabase with DATABASE_UNAVAILABLE when nothing listens', async () => {
    const error = await openDatabase(UNREACHABLE_URL).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SyncError);
    expect(error).toMatchObject(unavailable);
    expect((error as SyncError).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('fails repository calls with DATABASE_UNAVAILABLE when nothing listens', async () => {
    // MikroORM 7 connects lazily, so this ORM only meets the closed port on the first query.
    const orm = await MikroORM.init(ormConfig(UNREACHABLE_URL));
    try {
      const repository = new CloudInvoiceRepository(orm);
      await expect(repository.recordPush(pushed())).rejects.toMatchObject(unavailable);
      await expect(
        repository.recordedPayloadSha('platform-admin', 'digitalocean', 'INV-1'),
      ).rejects.toMatchObject(unavailable);
      await expect(repository.find('platform-admin', 'digitalocean', 'INV-1')).rejects.toMatchObject(
        unavailable,
      );
    } finally {
      await orm.close(true);
    }
  });

  it('fails openDatabase with DATABASE_UNAVAILABLE when the database does not exist and may not be created', async () => {
    const error = await openDatabase(databaseUrl(freshDatabaseName())).catch((e: unknown) => e);

    expect(error).toMatchObject({ ...unavailable, cause: { code: '3D000' } });
  });

  it('lets other database errors through unchanged (a missing table is not an outage)', async () => {
    const name = freshDatabaseName();
    const db = await openDatabase(databaseUrl(name), { createDatabase: true });
    try {
      const error = await db.repository.recordPush(pushed()).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(SyncError);
      expect(error).toMatchObject({ name: 'TableNotFoundException', code: '42P01' });
    } finally {
      await db.orm.schema.dropDatabase();
      await db.close();
    }
  });
});
