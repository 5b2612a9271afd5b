import { describe, expect, it } from 'vitest';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { eventually } from '../helpers/eventually.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { publishLinesIngested, smallInvoice } from '../helpers/service.ts';

const LATENCY_MS = 200;

async function pushEightInvoices(partitions: number) {
  const { finance, infra } = await pipelineForTest({
    env: { PUSHER_MAX_IN_FLIGHT: '8' },
    financeFaults: { latencyMs: LATENCY_MS },
    topics: { TOPIC_LINES_INGESTED: { partitions } },
  });
  const events = Array.from({ length: 8 }, (_, i) => smallInvoice(`INV-CONC-${i}`));
  await Promise.all(events.map((event) => publishLinesIngested(infra, event)));
  await eventually(() => (finance.invoices().length === 8 ? true : undefined), {
    what: 'eight invoices in finance',
    timeoutMs: 60_000,
  });
  return finance;
}

describe('pusher throughput: pushes overlap, order is kept per key', () => {
  it('keeps at least 4 finance requests in flight with 8 partitions', async () => {
    const finance = await pushEightInvoices(8);
    expect(finance.stats().maxInFlight).toBeGreaterThanOrEqual(4);
  });

  it('keeps at least 4 finance requests in flight with 1 partition carrying 8 distinct keys', async () => {
    const finance = await pushEightInvoices(1);
    expect(finance.stats().maxInFlight).toBeGreaterThanOrEqual(4);
  });

  it('pushes two events of the same key in order, the second after the first finished', async () => {
    const { finance, infra, startService } = await pipelineForTest({
      financeFaults: { latencyMs: LATENCY_MS },
      topics: { TOPIC_LINES_INGESTED: { partitions: 1 } },
      startService: false,
    });
    const first = smallInvoice('INV-ORDER', [1000, 100]);
    const second = smallInvoice('INV-ORDER', [2000, 200]);
    expect(invoiceKey(first)).toBe(invoiceKey(second));
    await publishLinesIngested(infra, first);
    await publishLinesIngested(infra, second);
    await startService();

    const imports = await eventually(() => (finance.imports().length === 2 ? finance.imports() : undefined), {
      what: 'two imports of INV-ORDER',
    });
    const [a, b] = imports;
    expect([a?.action, b?.action]).toEqual(['created', 'updated']);
    expect(b?.arrivedAtMs).toBeGreaterThanOrEqual(a?.finishedAtMs as number);
    expect(finance.invoices()[0]?.amount_gross_minor).toBe(2200);
  });
});
