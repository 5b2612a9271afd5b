import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { sequenceInvoices, settleAndCheck } from './harness/final-checks.ts';
import { chaosSeed, killAtRandom, seededRandom } from './harness/kill-schedule.ts';
import { chaosScale } from './harness/scale.ts';
import { startScenario } from './harness/scenario.ts';
import { recordReport } from './harness/scenario-report.ts';

const scale = chaosScale();
const REPEATS_PER_KILL = 25;

describe('reliability: kill -9 of service processes at random moments', () => {
  const flow = scale.killsDuringFlow;
  it(
    `${flow.kills} kills while ${flow.invoices} invoices flow, finance at 0 ms: every invoice once, nothing dead-lettered`,
    async () => {
      const startedAt = Date.now();
      const seed = chaosSeed();
      const scenario = await startScenario('kills-during-flow');
      await Promise.all([scenario.fleet.start('a'), scenario.fleet.start('b')]);
      scenario.sampler.phase('kills');
      const producer = scenario.producer({ count: flow.invoices, rate: flow.rate });
      const spacingMs = (flow.invoices / flow.rate / flow.kills) * 1000;
      const kills = await killAtRandom(scenario, {
        kills: flow.kills,
        instances: ['a', 'b'],
        gapMs: [spacingMs * 0.3, spacingMs * 1.7],
        random: seededRandom(seed),
      });
      await producer.done;
      const drainFrom = Math.max(producer.finishedAt(), Date.now());
      scenario.sampler.phase('drain');
      const result = await settleAndCheck(
        scenario,
        { valid: sequenceInvoices(scenario.run, flow.invoices) },
        { drainFrom, timeoutMs: scale.timeoutMs / 2 },
      );
      recordReport(scenario, scale, startedAt, result, { seed, kills });
      expect(result.violations).toEqual([]);
      expect(kills).toHaveLength(flow.kills);
    },
    scale.timeoutMs,
  );

  const backlog = scale.killsWithBacklog;
  it(
    `${backlog.kills} kills through a ${backlog.invoices} backlog, finance at ${backlog.financeLatencyMs} ms: kills land on pushes in flight, every invoice once`,
    async () => {
      const startedAt = Date.now();
      const seed = chaosSeed();
      // Two pushes in flight per instance: at 150 ms a push, the backlog outlasts every kill (each costs a
      // session timeout of stalled rebalance) instead of draining before the third.
      const scenario = await startScenario('kills-with-backlog', {
        overrides: { PUSHER_MAX_IN_FLIGHT: '2' },
      });
      scenario.finance.setFaults({ latencyMs: backlog.financeLatencyMs });
      await scenario.producer({ count: backlog.invoices }).done;
      await Promise.all([scenario.fleet.start('a'), scenario.fleet.start('b')]);
      scenario.sampler.phase('kills');
      const kills = await killAtRandom(scenario, {
        kills: backlog.kills,
        instances: ['a', 'b'],
        gapMs: [100, 1_500],
        random: seededRandom(seed),
        // A process that is pushing, while finance is working on pushes: the kill cuts some off mid-way.
        preferStarted: true,
        moment: () =>
          eventually(
            () => {
              if (scenario.finance.invoices().length >= backlog.invoices) return false;
              return scenario.finance.stats().inFlight > 0 ? true : undefined;
            },
            { timeoutMs: 120_000, intervalMs: 20, what: 'pushes in flight' },
          ),
      });
      const drainFrom = Date.now();
      scenario.sampler.phase('drain');
      const result = await settleAndCheck(
        scenario,
        { valid: sequenceInvoices(scenario.run, backlog.invoices) },
        { drainFrom, timeoutMs: scale.timeoutMs / 2 },
      );
      recordReport(scenario, scale, startedAt, result, { seed, kills });
      expect(result.violations).toEqual([]);
      expect(kills.filter((kill) => kill.financeInFlight > 0)).toHaveLength(backlog.kills);
      // A kill repeats at most what the process had taken (a window of 4 × 2 records), what it finished
      // but had not committed yet, and what the survivor abandons when the group rebalances. Far more
      // means two members pushed one partition at once: a member expelled while it still worked.
      expect(result.figures.duplicateFinanceCalls).toBeLessThanOrEqual(kills.length * REPEATS_PER_KILL);
    },
    scale.timeoutMs,
  );
});
