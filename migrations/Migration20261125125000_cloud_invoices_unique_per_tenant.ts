import { Migration } from '@mikro-orm/migrations';

/**
 * Keys `cloud_invoices` by (tenant_id, provider, provider_invoice_id), like finance's
 * (tenant_id, source, external_id): the seed's (provider, provider_invoice_id) predates per-tenant
 * invoices, so the same invoice id under two tenants collided (DESIGN.md, "Persistence").
 * Every existing row is kept. Same conventions as the first migration: no non-erasable TypeScript,
 * exactly one exported class.
 */
export class Migration20261125125000CloudInvoicesUniquePerTenant extends Migration {
  override up(): void {
    // Rows without a tenant come from the seed, which only held the platform's own cloud bills:
    // they belong to the platform tenant. `updated_at` is left alone: nothing about the invoice changed.
    this.addSql(`update "cloud_invoices" set "tenant_id" = 'platform-admin' where "tenant_id" is null;`);
    this.addSql(`alter table "cloud_invoices" alter column "tenant_id" set not null;`);
    this.addSql(
      `alter table "cloud_invoices" drop constraint "cloud_invoices_provider_provider_invoice_id_unique";`,
    );
    this.addSql(`
      alter table "cloud_invoices" add constraint "cloud_invoices_tenant_id_provider_provider_invoice_id_unique"
        unique ("tenant_id", "provider", "provider_invoice_id");`);
  }

  /**
   * Refuses, rather than deletes, rows the old key cannot hold: once two tenants share an invoice
   * id there is no row to drop without losing a finance id. The backfilled tenants stay: which rows
   * were null is not known any more, and a tenant on every row is harmless to the old code.
   */
  override down(): void {
    this.addSql(`
      do $$
      begin
        if exists (
          select 1 from "cloud_invoices" group by "provider", "provider_invoice_id" having count(*) > 1
        ) then
          raise exception 'cannot go back to a (provider, provider_invoice_id) key: an invoice id is recorded under several tenants';
        end if;
      end $$;`);
    this.addSql(
      `alter table "cloud_invoices" drop constraint "cloud_invoices_tenant_id_provider_provider_invoice_id_unique";`,
    );
    this.addSql(`
      alter table "cloud_invoices" add constraint "cloud_invoices_provider_provider_invoice_id_unique"
        unique ("provider", "provider_invoice_id");`);
    this.addSql(`alter table "cloud_invoices" alter column "tenant_id" drop not null;`);
  }
}
