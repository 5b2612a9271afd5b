import { describe, expect, it } from 'vitest';
import { dedicatedBrokerForTest } from '../helpers/dedicated-broker.ts';
import { sequenceInvoices, settleAndCheck } from './harness/final-checks.ts';
import { chaosScale } from './harness/scale.ts';
import { startScenario } from './harness/scenario.ts';
import { recordReport } from './harness/scenario-report.ts';

const scale = chaosScale();
/** How long a readiness probe may take to notice a fault (the Kafka probe answers within 2 s). */
const NOTICE_MS = 3_000;

describe('reliability: the Kafka broker killed and restarted', () => {
  const { invoices, rate, downMs } = scale.brokerRestart;
  it(
    `the only broker SIGKILLed, down ${downMs / 1000} s and restarted during ${invoices} invoices: not ready while it is down, every invoice once after`,
    async () => {
      const startedAt = Date.now();
      // A broker of this test's own: the shared one is never stopped. Registry and PostgreSQL are shared.
      const broker = await dedicatedBrokerForTest();
      const scenario = await startScenario('broker-restart', { brokers: broker.brokers });
      const { sampler } = scenario;
      await Promise.all([scenario.fleet.start('a'), scenario.fleet.start('b')]);
      sampler.phase('steady');
      const producer = scenario.producer({ count: invoices, rate });
      await producer.reached(Math.floor(invoices / 3));
      sampler.phase('broker down');
      const killedAt = Date.now();
      await broker.kill();
      // How long the broker stays down (not a synchronisation).
      await new Promise((resolve) => setTimeout(resolve, downMs));
      // The service may see the broker answer a moment before restart() does: a phase of its own.
      sampler.phase('broker restarting');
      await broker.restart();
      const restartedAt = Date.now();
      sampler.phase('broker back');
      await producer.done;

      const result = await settleAndCheck(
        scenario,
        { valid: sequenceInvoices(scenario.run, invoices) },
        { drainFrom: restartedAt, timeoutMs: scale.timeoutMs / 2 },
      );
      recordReport(scenario, scale, startedAt, result, { brokerDownMs: restartedAt - killedAt });
      expect(result.violations).toEqual([]);
      const whileDown = sampler.during('broker down', NOTICE_MS);
      expect(whileDown.length).toBeGreaterThan(0);
      expect(whileDown.filter((sample) => sample.status === 200)).toEqual([]);
    },
    scale.timeoutMs,
  );
});
