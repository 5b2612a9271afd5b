import { describe, expect, it, onTestFinished } from 'vitest';
import { type Database, openDatabase } from '../../../src/platform/database/database.ts';
import { databaseUrl, freshDatabaseName } from './fresh-database.ts';

const CREATE_TABLE = 'Migration20261124212746_create_cloud_invoices';
const UNIQUE_PER_TENANT = 'Migration20261125125000_cloud_invoices_unique_per_tenant';

/** A database of its own, migrated only as far as the table the seed knew; dropped after the test. */
async function databaseBeforeTenantKey(): Promise<Database> {
  const db = await openDatabase(databaseUrl(freshDatabaseName()), { createDatabase: true });
  onTestFinished(async () => {
    await db.orm.schema.dropDatabase();
    await db.close();
  });
  await db.orm.migrator.up({ to: CREATE_TABLE });
  return db;
}

function sql<T = Record<string, unknown>>(db: Database, query: string, params: unknown[] = []): Promise<T[]> {
  return db.orm.em.getConnection().execute<T[]>(query, params);
}

/** The rows as the seed left them: one without a tenant, carrying every stage's columns. */
async function insertSeedRows(db: Database): Promise<void> {
  await sql(
    db,
    `insert into cloud_invoices (
       tenant_id, provider, provider_invoice_id, invoice_period, amount_cents, status, issued_at,
       csv_fetched_at, lines_ingested_at, pushed_to_finance_at, finance_invoice_id, finance_payload_sha256,
       raw, inserted_at, updated_at)
     values
       (null, 'digitalocean', 'INV-1', '2026-03-01', 8692, 'pushed', '2026-04-01T00:00:00Z',
        '2026-04-01T01:00:00Z', '2026-04-01T02:00:00Z', '2026-04-01T03:00:00Z', 'fin-1', ?,
        '{"source":"seed"}', '2026-04-01T00:00:00Z', '2026-04-01T03:00:00Z'),
       ('tenant-acme', 'digitalocean', 'INV-2', '2026-03-01', 100, 'open', null,
        null, null, null, null, null,
        null, '2026-04-02T00:00:00Z', '2026-04-02T00:00:00Z'),
       (null, 'aws', 'INV-1', '2026-03-01', null, 'open', null,
        null, null, null, null, null,
        null, '2026-04-03T00:00:00Z', '2026-04-03T00:00:00Z')`,
    ['a'.repeat(64)],
  );
}

const allRows = (db: Database) => sql(db, 'select * from cloud_invoices order by inserted_at');

function insertKey(db: Database, tenantId: string, provider: string, providerInvoiceId: string) {
  return sql(
    db,
    `insert into cloud_invoices (tenant_id, provider, provider_invoice_id, invoice_period, inserted_at, updated_at)
     values (?, ?, ?, '2026-03-01', now(), now())`,
    [tenantId, provider, providerInvoiceId],
  );
}

describe('migration: cloud_invoices unique per tenant', () => {
  it('keeps every row, giving the seed rows without a tenant to platform-admin', async () => {
    const db = await databaseBeforeTenantKey();
    await insertSeedRows(db);
    const before = await allRows(db);

    expect((await db.orm.migrator.up({ to: UNIQUE_PER_TENANT })).map((m) => m.name)).toEqual([
      UNIQUE_PER_TENANT,
    ]);

    const after = await allRows(db);
    expect(after).toEqual(before.map((row) => ({ ...row, tenant_id: row.tenant_id ?? 'platform-admin' })));
    expect(after.map((row) => row.tenant_id)).toEqual(['platform-admin', 'tenant-acme', 'platform-admin']);
    const [column] = await sql(
      db,
      `select is_nullable from information_schema.columns
        where table_name = 'cloud_invoices' and column_name = 'tenant_id'`,
    );
    expect(column).toEqual({ is_nullable: 'NO' });
  });

  it('lets two tenants hold the same invoice id, and still refuses a duplicate full key', async () => {
    const db = await databaseBeforeTenantKey();
    await insertSeedRows(db);
    await db.orm.migrator.up();

    await insertKey(db, 'tenant-acme', 'digitalocean', 'INV-1');
    const duplicate = await insertKey(db, 'tenant-acme', 'digitalocean', 'INV-1').catch((e: unknown) => e);

    expect(duplicate).toMatchObject({
      code: '23505',
      constraint: 'cloud_invoices_tenant_id_provider_provider_invoice_id_unique',
    });
    const [count] = await sql<{ n: string }>(
      db,
      `select count(*) as n from cloud_invoices where provider = 'digitalocean' and provider_invoice_id = 'INV-1'`,
    );
    expect(Number(count?.n)).toBe(2);
  });

  it('reverts to the seed key, but refuses while an invoice id is recorded under two tenants', async () => {
    const db = await databaseBeforeTenantKey();
    await insertSeedRows(db);
    await db.orm.migrator.up({ to: UNIQUE_PER_TENANT });
    await insertKey(db, 'tenant-acme', 'digitalocean', 'INV-1');

    const refused = await db.orm.migrator.down().catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'P0001',
      message: expect.stringMatching(/recorded under several tenants/),
    });
    expect(await allRows(db)).toHaveLength(4);

    await sql(
      db,
      `delete from cloud_invoices where tenant_id = 'tenant-acme' and provider_invoice_id = 'INV-1'`,
    );
    expect((await db.orm.migrator.down()).map((m) => m.name)).toEqual([UNIQUE_PER_TENANT]);
    const duplicate = await insertKey(db, 'tenant-other', 'digitalocean', 'INV-1').catch((e: unknown) => e);
    expect(duplicate).toMatchObject({
      code: '23505',
      constraint: 'cloud_invoices_provider_provider_invoice_id_unique',
    });
    expect(await allRows(db)).toHaveLength(3);
  });
});
