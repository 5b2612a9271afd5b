import { Migration } from '@mikro-orm/migrations';

/**
 * Creates `cloud_invoices` (DESIGN.md, "Persistence"): the seed's Ecto columns plus `tenant_id` and
 * `finance_payload_sha256`. Written by hand and kept free of non-erasable TypeScript, so Node 24 runs
 * it as is. This file must export exactly one class: the migrator instantiates the first export.
 */
export class Migration20261124212746CreateCloudInvoices extends Migration {
  override up(): void {
    this.addSql(`
      create table "cloud_invoices" (
        "id" uuid not null default gen_random_uuid(),
        "tenant_id" text null,
        "provider" text not null,
        "provider_invoice_id" text not null,
        "invoice_period" date not null,
        "amount_cents" bigint null,
        "status" text null default 'open',
        "issued_at" timestamptz null,
        "csv_fetched_at" timestamptz null,
        "lines_ingested_at" timestamptz null,
        "pushed_to_finance_at" timestamptz null,
        "finance_invoice_id" text null,
        "finance_payload_sha256" text null,
        "raw" jsonb null,
        "inserted_at" timestamptz not null,
        "updated_at" timestamptz not null,
        constraint "cloud_invoices_pkey" primary key ("id"),
        constraint "cloud_invoices_provider_provider_invoice_id_unique" unique ("provider", "provider_invoice_id")
      );`);
  }

  override down(): void {
    this.addSql(`drop table if exists "cloud_invoices";`);
  }
}
