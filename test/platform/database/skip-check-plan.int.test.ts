import { describe, expect, it } from 'vitest';
import { RECORDED_SHAS_SQL } from '../../../src/platform/database/cloud-invoice.repository.ts';
import { useFreshDatabase } from './fresh-database.ts';

const database = useFreshDatabase();
const ROWS = 50_000; // one tenant and provider: the rows a prefix-only plan would filter one by one

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe('the skip check reads the unique index on all three key columns, whatever the table holds', () => {
  it('plans one index probe per key (tenant_id, provider, provider_invoice_id), no scan or filter of the table', async () => {
    const em = database().orm.em.fork();
    await em.execute(
      `insert into cloud_invoices (tenant_id, provider, provider_invoice_id, invoice_period, finance_payload_sha256, inserted_at, updated_at)
       select 'platform-admin', 'digitalocean', 'INV-' || g, date '2026-04-01', md5(g::text), now(), now()
         from generate_series(1, ${ROWS}) g`,
    );
    // No ANALYZE: right after a backlog fills the table, before autovacuum has looked at it, is when
    // a row-value IN list was planned on the (tenant_id, provider) prefix and filtered every row.
    const keys = JSON.stringify(
      ['INV-7', 'INV-40000', 'INV-missing'].map((id) => ({
        tenant_id: 'platform-admin',
        provider: 'digitalocean',
        provider_invoice_id: id,
      })),
    );
    const [explained] = await em.execute<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(
      `explain (format json) ${RECORDED_SHAS_SQL}`,
      [keys],
    );
    const all = nodes(explained?.['QUERY PLAN'][0]?.Plan as PlanNode);
    const onTable = all.filter((node) => node['Relation Name'] === 'cloud_invoices');
    expect(onTable.map((node) => node['Node Type'])).toEqual(['Index Scan']);
    const condition = onTable[0]?.['Index Cond'] ?? '';
    for (const column of ['tenant_id', 'provider', 'provider_invoice_id']) {
      expect(condition).toContain(`(${column} = k.${column})`);
    }
    expect(onTable[0]?.Filter).toBeUndefined();

    const shas = await database().repository.recordedPayloadShas([
      { tenantId: 'platform-admin', provider: 'digitalocean', providerInvoiceId: 'INV-40000' },
      { tenantId: 'platform-admin', provider: 'digitalocean', providerInvoiceId: 'INV-missing' },
      { tenantId: 'other-tenant', provider: 'digitalocean', providerInvoiceId: 'INV-7' },
    ]);
    const [expected] = await em.execute<{ md5: string }[]>(`select md5('40000') as md5`);
    expect(shas).toEqual([expected?.md5, undefined, undefined]);
  });
});
