import { describe, expect, it } from 'vitest';
import { sequenceInvoices, settleAndCheck } from './harness/final-checks.ts';
import { chaosScale } from './harness/scale.ts';
import { startScenario } from './harness/scenario.ts';
import { recordReport } from './harness/scenario-report.ts';

const scale = chaosScale();

describe('reliability: three instances, one lost for good', () => {
  const { invoices, rate } = scale.instanceLost;
  it(
    `three instances in both groups, one killed mid-way and never restarted, ${invoices} invoices: the other two take its partitions, every invoice once`,
    async () => {
      const startedAt = Date.now();
      const scenario = await startScenario('instance-lost');
      // All three at once, as a deployment rolls out replicas: they create the database and migrate together.
      await Promise.all(['a', 'b', 'c'].map((name) => scenario.fleet.start(name)));
      scenario.sampler.phase('three instances');
      const producer = scenario.producer({ count: invoices, rate });
      await producer.reached(Math.floor(invoices / 2));
      scenario.sampler.phase('c killed');
      await scenario.fleet.kill('c', 'SIGKILL');
      const killedAt = Date.now();
      await producer.done;
      scenario.sampler.phase('drain');
      const result = await settleAndCheck(
        scenario,
        { valid: sequenceInvoices(scenario.run, invoices) },
        { drainFrom: producer.finishedAt(), timeoutMs: scale.timeoutMs / 2 },
      );
      recordReport(scenario, scale, startedAt, result, { killedAfterMs: killedAt - startedAt });
      expect(result.violations).toEqual([]);
    },
    scale.timeoutMs,
  );
});
