import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { publishLinesIngested, smallInvoice } from '../helpers/service.ts';

const N = 8; // imports finance takes at once; above that it answers 429

describe('adaptive concurrency toward finance', () => {
  it('converges near what finance can take, loses nothing, dead-letters nothing, and 429s stay few', async () => {
    const { finance, infra, service, pusherDeadLetters } = await pipelineForTest({
      env: { PUSHER_MAX_IN_FLIGHT: '32', FINANCE_CONNECTIONS: '32', FINANCE_MAX_RETRIES: '10' },
      financeFaults: { latencyMs: 40, concurrencyLimit: { max: N, retryAfterSeconds: null } },
    });
    const dlq = await pusherDeadLetters();
    const events = Array.from({ length: 400 }, (_, i) => smallInvoice(`INV-AIMD-${i}`));
    await Promise.all(events.map((event) => publishLinesIngested(infra, event)));

    const limits: number[] = [];
    await eventually(
      async () => {
        limits.push((await service.infra.metrics.financeConcurrencyLimit.get()).values[0]?.value ?? 0);
        return finance.invoices().length === events.length ? true : undefined;
      },
      { what: 'every invoice in finance', timeoutMs: 90_000, intervalMs: 50 },
    );

    const { byStatus } = finance.stats();
    const refused = byStatus['429'] ?? 0;
    const calls = refused + (byStatus['201'] ?? 0);
    expect(refused / calls).toBeLessThan(0.08);
    // It starts at 4, grows while finance keeps up, and saws just below N once finance refuses.
    expect(Math.max(...limits)).toBeGreaterThanOrEqual(N);
    const settled = limits.slice(Math.floor(limits.length / 2));
    const mean = settled.reduce((sum, l) => sum + l, 0) / settled.length;
    expect(mean).toBeGreaterThanOrEqual(N - 3);
    expect(mean).toBeLessThanOrEqual(N + 1);
    expect(dlq.messages).toHaveLength(0);
  });
});
