import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { publishLinesIngested, smallInvoice } from '../helpers/service.ts';

describe('adaptive concurrency toward finance', () => {
  // C: the imports finance takes at once; above that it answers 429, with or without Retry-After.
  it.each([
    { C: 8, retryAfterSeconds: null },
    { C: 4, retryAfterSeconds: 1 },
  ])(
    'settles near what finance takes (C = $C, Retry-After $retryAfterSeconds), loses nothing, dead-letters nothing, and 429s stay few',
    async ({ C, retryAfterSeconds }) => {
      const { finance, infra, service, pusherDeadLetters } = await pipelineForTest({
        env: { PUSHER_MAX_IN_FLIGHT: '32', FINANCE_CONNECTIONS: '32', FINANCE_MAX_RETRIES: '10' },
        financeFaults: { latencyMs: 40, concurrencyLimit: { max: C, retryAfterSeconds } },
      });
      const dlq = await pusherDeadLetters();
      const events = Array.from({ length: 400 }, (_, i) => smallInvoice(`INV-AIMD-${C}-${i}`));
      await Promise.all(events.map((event) => publishLinesIngested(infra, event)));

      const limits: number[] = [];
      const limitNow = async () =>
        (await service.infra.metrics.financeConcurrencyLimit.get()).values[0]?.value ?? 0;
      await eventually(
        async () => {
          limits.push(await limitNow());
          return finance.invoices().length === events.length ? true : undefined;
        },
        { what: 'every invoice in finance', timeoutMs: 90_000, intervalMs: 50 },
      );

      const { byStatus } = finance.stats();
      const refused = byStatus['429'] ?? 0;
      const calls = refused + (byStatus['201'] ?? 0);
      expect(refused / calls).toBeLessThan(0.05);
      // It starts at 4, grows while finance keeps up, and stays at C once finance refused above it
      // (C + 1 while it probes again).
      expect(Math.max(...limits)).toBeGreaterThanOrEqual(C);
      const settled = limits.slice(Math.floor(limits.length / 2));
      expect(Math.max(...settled)).toBeLessThanOrEqual(C + 1);
      const nearC = settled.filter((l) => l >= C - 1 && l <= C + 1).length / settled.length;
      expect(nearC).toBeGreaterThanOrEqual(0.75); // plain AIMD saws from C + 1 down to ¾ of it
      expect(await limitNow()).toBeGreaterThanOrEqual(C - 2);
      expect(await limitNow()).toBeLessThanOrEqual(C + 1);
      expect(dlq.messages).toHaveLength(0);
    },
  );
});
