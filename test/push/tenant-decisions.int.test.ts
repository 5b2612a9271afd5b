import { describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import type { Service } from '../../src/service/service.ts';
import { eventually } from '../helpers/eventually.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { publishLinesIngested, smallInvoice } from '../helpers/service.ts';

/** Samples readiness every 50 ms until stopped; the answers it saw, from the first ready one on. */
function readinessSampler(service: Service) {
  const seen: boolean[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const { ready } = await service.readiness();
      if (ready || seen.length > 0) seen.push(ready);
      // The sampling interval (not a synchronisation): how often readiness is looked at.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

function invoiceFor(tenantId: string, providerInvoiceId: string) {
  return { ...smallInvoice(providerInvoiceId), tenant_id: tenantId };
}

describe('one tenant refused by finance never holds back the others', () => {
  it('event-tenant identity: the refused tenant’s events are dead-lettered, 200 other tenants’ events are pushed, readiness stays true', async () => {
    const { finance, infra, service, pusherDeadLetters } = await pipelineForTest({
      roles: { recorder: true },
      env: { FINANCE_IDENTITY: 'event-tenant' },
      financeFaults: { refuseTenants: ['tenant-b'] },
    });
    const dlq = await pusherDeadLetters();
    await eventually(async () => ((await service.readiness()).ready ? true : undefined), { what: 'ready' });
    const sampler = readinessSampler(service);

    const others = Array.from({ length: 200 }, (_, i) => invoiceFor(`tenant-${'acde'[i % 4]}`, `INV-${i}`));
    const refused = Array.from({ length: 5 }, (_, i) => invoiceFor('tenant-b', `INV-B-${i}`));
    const events = [...others];
    refused.forEach((event, i) => {
      events.splice(i * 40, 0, event);
    });
    await Promise.all(events.map((event) => publishLinesIngested(infra, event)));

    const dead = await dlq.waitFor(refused.length);
    await eventually(() => (finance.invoices().length === others.length ? true : undefined), {
      what: `${others.length} invoices in finance (have ${finance.invoices().length})`,
      timeoutMs: 60_000,
    });
    const readiness = await sampler.stop();

    expect(dead.map((m) => m.key).sort()).toEqual(refused.map(invoiceKey).sort());
    for (const message of dead) {
      expect(message.headers[DLQ_HEADER.errorCode]).toBe('FINANCE_FORBIDDEN_FOR_TENANT');
      expect(message.headers[DLQ_HEADER.exceptionMessage]).toMatch(
        /^finance refused to import for tenant tenant-b \(HTTP 403\): .*imports for tenant tenant-b are suspended.*; the configured identity is still accepted$/,
      );
    }
    expect(new Set(finance.invoices().map((row) => row.tenant_id))).toEqual(
      new Set(['tenant-a', 'tenant-c', 'tenant-d', 'tenant-e']),
    );
    expect(readiness.length).toBeGreaterThan(1);
    expect(readiness.every(Boolean)).toBe(true);
    const [pusher] = (await service.readiness()).consumers as { systemicFailure?: string }[];
    expect(pusher?.systemicFailure).toBeUndefined();
  });

  it('the same invoice id under two tenants gives two finance rows and two cloud_invoices rows with their own finance ids', async () => {
    const { finance, infra, service } = await pipelineForTest({
      roles: { recorder: true },
      env: { FINANCE_IDENTITY: 'event-tenant' },
    });
    const a = invoiceFor('tenant-a', 'INV-SHARED');
    const c = invoiceFor('tenant-c', 'INV-SHARED');
    await publishLinesIngested(infra, a);
    await publishLinesIngested(infra, c);

    const repository = service.infra.database.repository;
    const rows = await eventually(
      async () => {
        const found = await Promise.all(
          [a, c].map((e) => repository.find(e.tenant_id, e.provider, e.provider_invoice_id)),
        );
        return found.every((row) => row?.finance_invoice_id) ? found : undefined;
      },
      { what: 'both tenants recorded' },
    );
    const financeRows = finance.invoices();
    expect(financeRows.map((row) => [row.tenant_id, row.external_id]).sort()).toEqual([
      ['tenant-a', 'INV-SHARED'],
      ['tenant-c', 'INV-SHARED'],
    ]);
    const financeIdOf = (tenant: string) => financeRows.find((row) => row.tenant_id === tenant)?.id;
    expect(rows.map((row) => [row?.tenant_id, row?.finance_invoice_id])).toEqual([
      ['tenant-a', financeIdOf('tenant-a')],
      ['tenant-c', financeIdOf('tenant-c')],
    ]);
    expect(financeIdOf('tenant-a')).not.toBe(financeIdOf('tenant-c'));
  });

  it('fixed identity: an event of a tenant the identity may not write for is that tenant’s problem, not the system’s', async () => {
    const { finance, infra, service, pusherDeadLetters } = await pipelineForTest({
      env: { KAFKA_TOPIC_PARTITIONS: '1' },
    });
    const dlq = await pusherDeadLetters();
    await eventually(async () => ((await service.readiness()).ready ? true : undefined), { what: 'ready' });
    const sampler = readinessSampler(service);

    const foreign = invoiceFor('tenant-b', 'INV-FOREIGN');
    const before = smallInvoice('INV-BEFORE');
    const after = smallInvoice('INV-AFTER');
    for (const event of [before, foreign, after]) await publishLinesIngested(infra, event);

    const [dead] = await dlq.waitFor(1);
    await eventually(() => (finance.invoices().length === 2 ? true : undefined), { what: 'the two others' });
    const readiness = await sampler.stop();

    expect(dead?.key).toBe(invoiceKey(foreign));
    expect(dead?.headers[DLQ_HEADER.errorCode]).toBe('FINANCE_FORBIDDEN_FOR_TENANT');
    expect(dead?.headers[DLQ_HEADER.exceptionMessage]).toContain(
      'token tenant platform-admin may not import for tenant-b',
    );
    expect(
      finance
        .invoices()
        .map((row) => row.external_id)
        .sort(),
    ).toEqual(['INV-AFTER', 'INV-BEFORE']);
    // Two tries with the token (a fresh one the second time), then one probe that got 422.
    expect(finance.stats().byStatus).toEqual({ '201': 2, '403': 2, '422': 1 });
    expect(readiness.every(Boolean)).toBe(true);
  });
});
