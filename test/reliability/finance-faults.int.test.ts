import { describe, expect, it } from 'vitest';
import { tcpProxyForTest } from '../helpers/tcp-proxy.ts';
import { sequenceInvoices, settleAndCheck } from './harness/final-checks.ts';
import { chaosScale } from './harness/scale.ts';
import { startScenario } from './harness/scenario.ts';
import { recordReport } from './harness/scenario-report.ts';

const scale = chaosScale();
const HEADERS_TIMEOUT_MS = 2_000; // finance answers slower than this in the slow phase
// How long a fault lasts (not a synchronisation): the service meets the fault for this long.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('reliability: finance misbehaving in every transient way', () => {
  const { invoices, rate, outageMs, slowMs } = scale.financeFaults;
  it(
    `20 % 503/429, a ${outageMs / 1000} s connection-refused outage and answers slower than the headers timeout, ${invoices} invoices: nothing dead-lettered, ready throughout`,
    async () => {
      const startedAt = Date.now();
      let proxy: Awaited<ReturnType<typeof tcpProxyForTest>> | undefined;
      const scenario = await startScenario('finance-faults', {
        // The service reaches finance through a proxy, so finance can refuse connections and come back.
        financeUrl: async (url) => {
          const target = new URL(url);
          proxy = await tcpProxyForTest({ host: target.hostname, port: Number(target.port) });
          return `http://127.0.0.1:${proxy.port()}`;
        },
        overrides: { FINANCE_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) },
      });
      const { finance, sampler } = scenario;
      await Promise.all([scenario.fleet.start('a'), scenario.fleet.start('b')]);
      const producer = scenario.producer({ count: invoices, rate });

      sampler.phase('finance 503/429');
      // 10 % 429 with Retry-After: 1, then 10 % of the rest 503 without: about 20 % of answers fail.
      finance.setFaults({
        rateLimit: { rate: 0.1, retryAfterSeconds: 1 },
        errorRate: 0.11,
        errorStatus: 503,
        seed: 7,
      });
      await producer.reached(Math.floor(invoices / 4));
      sampler.phase('finance refusing connections');
      await proxy?.cut();
      await sleep(outageMs);
      await proxy?.restore();
      sampler.phase('finance slower than the headers timeout');
      finance.setFaults({ rateLimit: null, errorRate: 0, latencyMs: HEADERS_TIMEOUT_MS + 500 });
      await sleep(slowMs);
      finance.setFaults({ latencyMs: 0 });
      const faultsOverAt = Date.now();
      sampler.phase('finance healthy');
      await producer.done;

      const result = await settleAndCheck(
        scenario,
        { valid: sequenceInvoices(scenario.run, invoices) },
        { drainFrom: Math.max(faultsOverAt, producer.finishedAt()), timeoutMs: scale.timeoutMs / 2 },
      );
      recordReport(scenario, scale, startedAt, result, {
        outageMs,
        slowMs,
        headersTimeoutMs: HEADERS_TIMEOUT_MS,
      });
      expect(result.violations).toEqual([]);
      for (const phase of [
        'finance 503/429',
        'finance refusing connections',
        'finance slower than the headers timeout',
      ]) {
        const samples = sampler.during(phase);
        expect(samples.length, phase).toBeGreaterThan(0);
        expect(
          samples.filter((sample) => sample.status !== 200),
          phase,
        ).toEqual([]);
      }
    },
    scale.timeoutMs,
  );
});
