import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/**
 * One provider invoice and how far it travelled (CSV fetched → lines ingested → pushed to finance).
 *
 * Property names are the column names (snake_case, like the events and the DESIGN table), so a row,
 * an entity and raw SQL all read the same; the default naming strategy leaves them unchanged.
 * The table itself is created only by `migrations/`; this mapping must agree with it (a test checks
 * that the schema generator finds nothing to change).
 */
export const CloudInvoice = defineEntity({
  name: 'CloudInvoice',
  tableName: 'cloud_invoices',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    tenant_id: p.text(),
    provider: p.text(),
    provider_invoice_id: p.text(),
    // `date` maps to a 'YYYY-MM-DD' string, never a JS Date: no time zone can shift the billed month.
    invoice_period: p.date(),
    // Integer minor units; JS numbers are exact up to 2^53, far beyond any invoice.
    amount_cents: p.bigint('number').nullable(),
    status: p.text().nullable().default('open'),
    issued_at: p.datetime().nullable(),
    csv_fetched_at: p.datetime().nullable(),
    lines_ingested_at: p.datetime().nullable(),
    pushed_to_finance_at: p.datetime().nullable(),
    finance_invoice_id: p.text().nullable(),
    finance_payload_sha256: p.text().nullable(),
    raw: p.json<unknown>().nullable(),
    inserted_at: p.datetime().onCreate(() => new Date()),
    updated_at: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [
    {
      // Finance keys invoices per tenant too; the same provider invoice id may exist under two tenants.
      name: 'cloud_invoices_tenant_id_provider_provider_invoice_id_unique',
      properties: ['tenant_id', 'provider', 'provider_invoice_id'],
    },
  ],
});

export type CloudInvoice = InferEntity<typeof CloudInvoice>;
