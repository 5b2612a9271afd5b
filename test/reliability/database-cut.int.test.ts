import { describe, expect, it } from 'vitest';
import { tcpProxyForTest } from '../helpers/tcp-proxy.ts';
import { sequenceInvoices, settleAndCheck } from './harness/final-checks.ts';
import { chaosScale } from './harness/scale.ts';
import { startScenario } from './harness/scenario.ts';
import { recordReport } from './harness/scenario-report.ts';

const scale = chaosScale();
/** How long a readiness probe may take to notice a fault (the probes answer within 2 s). */
const NOTICE_MS = 3_000;
// How long the cut lasts (not a synchronisation): the service meets the cut for this long.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('reliability: PostgreSQL cut off', () => {
  const { invoices, rate, cutMs } = scale.databaseCut;
  it(
    `PostgreSQL unreachable for ${cutMs / 1000} s during ${invoices} invoices: not ready meanwhile, nothing dead-lettered, every invoice recorded once`,
    async () => {
      const startedAt = Date.now();
      let proxy: Awaited<ReturnType<typeof tcpProxyForTest>> | undefined;
      const scenario = await startScenario('database-cut', {
        serviceDatabaseUrl: async (direct) => {
          const url = new URL(direct);
          proxy = await tcpProxyForTest({ host: url.hostname, port: Number(url.port || 5432) });
          url.host = `127.0.0.1:${proxy.port()}`;
          return url.toString();
        },
      });
      const { sampler } = scenario;
      await Promise.all([scenario.fleet.start('a'), scenario.fleet.start('b')]);
      sampler.phase('steady');
      const producer = scenario.producer({ count: invoices, rate });
      await producer.reached(Math.floor(invoices / 3));
      sampler.phase('database cut');
      await proxy?.cut();
      await sleep(cutMs);
      await proxy?.restore();
      const restoredAt = Date.now();
      sampler.phase('database back');
      await producer.done;

      const result = await settleAndCheck(
        scenario,
        { valid: sequenceInvoices(scenario.run, invoices) },
        { drainFrom: restoredAt, timeoutMs: scale.timeoutMs / 2 },
      );
      recordReport(scenario, scale, startedAt, result, { cutMs });
      expect(result.violations).toEqual([]);
      const duringCut = sampler.during('database cut', NOTICE_MS);
      expect(duringCut.length).toBeGreaterThan(0);
      expect(duringCut.filter((sample) => sample.status === 200)).toEqual([]);
    },
    scale.timeoutMs,
  );
});
