import { describe, expect, it } from 'vitest';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { eventually } from '../helpers/eventually.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { publishLinesIngested, type serviceForTest, smallInvoice } from '../helpers/service.ts';

type ConsumerView = { paused: number[]; systemicFailure?: string };

async function counter(service: Awaited<ReturnType<typeof serviceForTest>>, name: string, label: string) {
  const metric = name === 'retries' ? service.infra.metrics.financeRetries : service.infra.metrics.events;
  const values = (await metric.get()).values;
  return values.filter((v) => Object.values(v.labels).includes(label)).reduce((sum, v) => sum + v.value, 0);
}

describe('pusher failure classes: transient retried, systemic pauses, permanent dead-lettered', () => {
  it('retries 503s with backoff, then pushes once', async () => {
    const { finance, infra, service } = await pipelineForTest({
      financeFaults: { failNext: { count: 2, status: 503 } },
    });
    await publishLinesIngested(infra, smallInvoice('INV-503'));
    await eventually(() => (finance.invoices().length === 1 ? true : undefined), {
      what: 'pushed after 503s',
    });
    expect(finance.stats().byStatus).toEqual({ '503': 2, '201': 1 });
    expect(await counter(service, 'retries', '503')).toBe(2);
  });

  it('waits as long as a 429 Retry-After asks before retrying', async () => {
    const { finance, infra, service } = await pipelineForTest({
      env: { FINANCE_RETRY_MAX_DELAY_MS: '5000' },
      financeFaults: { failNext: { count: 1, status: 429, retryAfterSeconds: 1 } },
    });
    await publishLinesIngested(infra, smallInvoice('INV-429'));
    await eventually(() => (finance.stats().requests === 1 ? true : undefined), { what: 'the 429' });
    const refusedAt = Date.now();
    await eventually(() => (finance.invoices().length === 1 ? true : undefined), {
      what: 'pushed after 429',
    });
    expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(800); // Retry-After: 1 s
    expect(finance.stats().byStatus).toEqual({ '429': 1, '201': 1 });
    expect(await counter(service, 'retries', '429')).toBe(1);
  });

  it('pauses the partition through an outage longer than its retries, never dead-letters, and pushes after', async () => {
    const { finance, infra, service, pusherDeadLetters } = await pipelineForTest({
      env: { FINANCE_MAX_RETRIES: '2' },
      financeFaults: { outage: { forMs: 3_000 } },
    });
    const dlq = await pusherDeadLetters();
    await publishLinesIngested(infra, smallInvoice('INV-OUTAGE'));

    const paused = await eventually(
      async () => {
        const consumers = (await service.readiness()).consumers as ConsumerView[];
        return consumers[0]?.paused.length ? consumers[0].paused : undefined;
      },
      { what: 'a paused partition' },
    );
    expect(paused).toHaveLength(1);
    await eventually(() => (finance.invoices().length === 1 ? true : undefined), {
      what: 'pushed after the outage',
      timeoutMs: 30_000,
    });
    expect(finance.invoices()[0]?.external_id).toBe('INV-OUTAGE');
    expect(dlq.messages).toHaveLength(0);
    await dlq.close();
  });

  it('treats 401 after a fresh token as systemic: not ready, nothing dead-lettered, pushed once finance accepts', async () => {
    const { finance, infra, service, pusherDeadLetters } = await pipelineForTest({
      financeFaults: { failNext: { count: 2, status: 401 } },
    });
    const dlq = await pusherDeadLetters();
    await publishLinesIngested(infra, smallInvoice('INV-401'));

    const readiness = await eventually(
      async () => {
        const r = await service.readiness();
        return (r.consumers as ConsumerView[])[0]?.systemicFailure ? r : undefined;
      },
      { what: 'systemic failure reported' },
    );
    expect(readiness.ready).toBe(false);
    expect((readiness.consumers as ConsumerView[])[0]?.systemicFailure).toMatch(
      /refused a freshly minted token/,
    );
    await eventually(() => (finance.invoices().length === 1 ? true : undefined), {
      what: 'pushed after 401s',
    });
    expect(finance.stats().byStatus).toEqual({ '401': 2, '201': 1 });
    await eventually(async () => ((await service.readiness()).ready ? true : undefined), {
      what: 'ready again',
    });
    expect(dlq.messages).toHaveLength(0);
    await dlq.close();
  });

  it('dead-letters a 422 with finance’s field errors in the reason', async () => {
    const { finance, infra, pusherDeadLetters } = await pipelineForTest({
      financeFaults: { failNext: { count: 1, status: 422 } },
    });
    const dlq = await pusherDeadLetters();
    const event = smallInvoice('INV-422');
    await publishLinesIngested(infra, event);
    const [dead] = await dlq.waitFor(1);
    expect(dead?.key).toBe(invoiceKey(event));
    expect(dead?.headers['__connect.errors.exception.message']).toBe(
      'finance rejected the invoice (HTTP 422): {"errors":{"body":["injected fault: failNext"]}}',
    );
    expect(finance.stats().byStatus).toEqual({ '422': 1 });
    await dlq.close();
  });
});
