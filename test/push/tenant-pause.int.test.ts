import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import type { InvoiceLinesIngested } from '../../src/invoice/invoice-events.ts';
import { normalizeInvoice } from '../../src/invoice/normalize-invoice.ts';
import { TenantPauses } from '../../src/push/tenant-pauses.ts';
import type { Service } from '../../src/service/service.ts';
import { eventually } from '../helpers/eventually.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { publishLinesIngested, serviceForTest, smallInvoice } from '../helpers/service.ts';

function invoiceOf(tenantId: string, providerInvoiceId: string, version = 1): InvoiceLinesIngested {
  return { ...smallInvoice(providerInvoiceId, [1000 * version, 100 * version]), tenant_id: tenantId };
}

/** The value of one sample of the service's /metrics, e.g. invoice_sync_tenant_waiting{tenant="acme"}. */
async function metric(service: Service, sample: string): Promise<number | undefined> {
  const text = await (await fetch(`${service.ops?.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('pausing one tenant: its events wait in order, across a restart, while the others flow', () => {
  it('holds a paused tenant through a restart, pushes the others meanwhile, and resumes it in order, its events more than the read-ahead', async () => {
    const { finance, infra, env, startService } = await pipelineForTest({
      // A read-ahead of 8 against 12 held events: they are parked in Kafka, not held in the window.
      env: { FINANCE_IDENTITY: 'event-tenant', TENANT_PAUSE_CHECK_MS: '200', PUSHER_READ_AHEAD_RECORDS: '8' },
      topics: { TOPIC_LINES_INGESTED: { partitions: 2 } },
      startService: false,
    });
    const pauses = new TenantPauses(infra.database.orm);
    expect(await pauses.pause('acme', 'test', 'month-end close')).toBe(true);
    const held: InvoiceLinesIngested[] = [];
    for (let version = 1; version <= 3; version++) {
      for (let i = 0; i < 4; i++) held.push(invoiceOf('acme', `INV-P-${i}`, version));
    }
    const others = Array.from({ length: 10 }, (_, i) => invoiceOf('globex', `INV-G-${i}`));
    for (const event of [...held, ...others]) await publishLinesIngested(infra, event);
    const first = await startService();

    const globex = () => finance.imports().filter((accepted) => accepted.tenant_id === 'globex').length;
    await eventually(() => (globex() >= 10 ? true : undefined), {
      what: "globex's 10 imports",
      timeoutMs: 60_000,
    });
    expect(finance.imports().filter((accepted) => accepted.tenant_id === 'acme')).toEqual([]);
    // The held events are visible: 12 waiting, paused.
    await eventually(
      async () =>
        (await metric(first, 'invoice_sync_tenant_waiting{tenant="acme"}')) === 12 ? true : undefined,
      {
        what: 'acme shown waiting with 12 events',
      },
    );
    expect(await metric(first, 'invoice_sync_tenant_paused{tenant="acme"}')).toBe(1);
    // Its age too: parked in Kafka, its oldest event has waited since it was published.
    expect(await metric(first, 'invoice_sync_tenant_oldest_wait_seconds{tenant="acme"}')).toBeGreaterThan(0);

    // A restart: the pause is read before anything is consumed again.
    await first.stop();
    const second = await serviceForTest(env, { pusher: true, recorder: false });
    const more = Array.from({ length: 5 }, (_, i) => invoiceOf('globex', `INV-G-AFTER-${i}`));
    for (const event of more) await publishLinesIngested(infra, event);
    await eventually(() => (globex() >= 15 ? true : undefined), {
      what: "globex's 15 imports",
      timeoutMs: 60_000,
    });
    await eventually(
      async () =>
        (await metric(second, 'invoice_sync_tenant_waiting{tenant="acme"}')) === 12 ? true : undefined,
      {
        what: 'acme held again after the restart',
      },
    );
    expect(finance.imports().filter((accepted) => accepted.tenant_id === 'acme')).toEqual([]);

    expect(await pauses.resume('acme')).toBe(true);
    const acme = await eventually(
      () => {
        const imports = finance.imports().filter((accepted) => accepted.tenant_id === 'acme');
        return imports.length >= 12 ? imports : undefined;
      },
      { what: "acme's 12 imports after the resume", timeoutMs: 60_000 },
    );
    expect(acme).toHaveLength(12);
    const { taxWords } = loadConfig(env);
    const versionOf = new Map(held.map((event, i) => [normalizeInvoice(event, taxWords).sha256, i]));
    const byKey = new Map<string, number[]>();
    for (const accepted of [...acme].sort((a, b) => a.sequence - b.sequence)) {
      byKey.set(accepted.external_id, [
        ...(byKey.get(accepted.external_id) ?? []),
        versionOf.get(accepted.body_sha256) ?? -1,
      ]);
    }
    expect(byKey.size).toBe(4);
    for (const versions of byKey.values())
      expect(versions).toEqual([...versions].sort((a, b) => a - b).filter((v) => v >= 0));
  });
});
