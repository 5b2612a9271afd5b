import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import type { InvoiceLinesIngested } from '../../src/invoice/invoice-events.ts';
import { normalizeInvoice } from '../../src/invoice/normalize-invoice.ts';
import { eventually } from '../helpers/eventually.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { publishLinesIngested, smallInvoice } from '../helpers/service.ts';

function invoiceOf(tenantId: string, providerInvoiceId: string, version = 1): InvoiceLinesIngested {
  return { ...smallInvoice(providerInvoiceId, [1000 * version, 100 * version]), tenant_id: tenantId };
}

describe('fair scheduling: a flood from one tenant never delays another tenant’s invoice', () => {
  it.each([
    ['the flood fits in the read-ahead', '5000'],
    ['the flood parked in Kafka and read again, a read-ahead of 24', '24'],
  ])(
    'pushes every version of every invoice in the order published, per key, while two tenants share the partition (%s)',
    async (_, readAhead) => {
      const { finance, infra, env, startService } = await pipelineForTest({
        env: {
          PUSHER_MAX_IN_FLIGHT: '8',
          FINANCE_IDENTITY: 'event-tenant',
          PUSHER_READ_AHEAD_RECORDS: readAhead,
        },
        financeFaults: { latencyMs: 5 },
        topics: { TOPIC_LINES_INGESTED: { partitions: 1 } },
        startService: false,
      });
      const flood = Array.from({ length: 150 }, (_, i) => invoiceOf('acme', `INV-FLOOD-${i}`));
      const versions: InvoiceLinesIngested[] = [];
      for (let version = 1; version <= 5; version++) {
        for (let i = 0; i < 8; i++) versions.push(invoiceOf('acme', `INV-V-${i}`, version));
        for (let i = 0; i < 3; i++) versions.push(invoiceOf('globex', `INV-V-${i}`, version));
      }
      await Promise.all(flood.map((event) => publishLinesIngested(infra, event)));
      for (const event of versions) await publishLinesIngested(infra, event);
      await startService();

      const total = flood.length + versions.length;
      const imports = await eventually(
        () => (finance.imports().length >= total ? finance.imports() : undefined),
        {
          what: `${total} imports`,
          timeoutMs: 60_000,
        },
      );
      expect(imports).toHaveLength(total);
      // Each version's exact body, as the pusher builds it: the order finance received a key's bodies in.
      const { taxWords } = loadConfig(env);
      const versionOf = new Map(versions.map((event, i) => [normalizeInvoice(event, taxWords).sha256, i]));
      const byKey = new Map<string, number[]>();
      for (const accepted of [...imports].sort((a, b) => a.sequence - b.sequence)) {
        const version = versionOf.get(accepted.body_sha256);
        if (version === undefined) continue;
        const key = `${accepted.tenant_id}:${accepted.external_id}`;
        byKey.set(key, [...(byKey.get(key) ?? []), version]);
      }
      expect(byKey.size).toBe(11);
      for (const received of byKey.values()) {
        expect(received).toHaveLength(5);
        expect(received).toEqual([...received].sort((a, b) => a - b));
      }
    },
  );

  it.each([
    ['the flood fits in the read-ahead', '5000'],
    ['a read-ahead of 40, a tenth of the flood', '40'],
  ])(
    'pushes the one invoice of a second tenant among the first ones, though 400 of the first tenant’s came before it (%s)',
    async (_, readAhead) => {
      const { finance, infra, startService } = await pipelineForTest({
        env: {
          PUSHER_MAX_IN_FLIGHT: '4',
          FINANCE_IDENTITY: 'event-tenant',
          PUSHER_READ_AHEAD_RECORDS: readAhead,
        },
        financeFaults: { latencyMs: 20 },
        topics: { TOPIC_LINES_INGESTED: { partitions: 1 } },
        startService: false,
      });
      const flood = Array.from({ length: 400 }, (_, i) => invoiceOf('acme', `INV-FLOOD-${i}`));
      await Promise.all(flood.map((event) => publishLinesIngested(infra, event)));
      await publishLinesIngested(infra, invoiceOf('globex', 'INV-ONE'));
      await startService();

      const imports = await eventually(
        () => (finance.imports().length >= 401 ? finance.imports() : undefined),
        {
          what: '401 imports',
          timeoutMs: 60_000,
        },
      );
      const inArrivalOrder = [...imports].sort((a, b) => a.sequence - b.sequence);
      const position = inArrivalOrder.findIndex((accepted) => accepted.tenant_id === 'globex');
      // In offset order it would be the 401st; fair, it goes with the next free slot (a few acme calls in flight).
      expect(position).toBeGreaterThanOrEqual(0);
      expect(position).toBeLessThan(40);
    },
  );
});
