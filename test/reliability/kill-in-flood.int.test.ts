import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { sequenceInvoices, settleAndCheck } from './harness/final-checks.ts';
import { chaosSeed, killAtRandom, seededRandom } from './harness/kill-schedule.ts';
import { chaosScale } from './harness/scale.ts';
import { startScenario } from './harness/scenario.ts';
import { recordReport } from './harness/scenario-report.ts';

const scale = chaosScale();
// As kill-during-flow's backlog: per kill, the pushes in flight (2 × 2 slots a process, cut off or
// abandoned by the survivor) and what was finished but not committed or recorded yet.
const REPEATS_PER_KILL = 25;

describe('reliability: kill -9 in the middle of one tenant’s flood, fair scheduling on, the flood parked in Kafka', () => {
  const flood = scale.killsInFlood;
  it(
    `${flood.kills} kills while acme's ${flood.invoices} backlog drains beside globex's ${flood.quiet} at ${flood.quietRate}/s: every invoice of both once, nothing dead-lettered`,
    async () => {
      const startedAt = Date.now();
      const seed = chaosSeed();
      const scenario = await startScenario('kills-in-flood', {
        // Finance lets an identity write only for its own tenant: each event's tenant signs its push.
        // A read-ahead of 40: most of the flood is parked in Kafka and read again when the kills come.
        overrides: {
          PUSHER_MAX_IN_FLIGHT: '2',
          FINANCE_IDENTITY: 'event-tenant',
          PUSHER_READ_AHEAD_RECORDS: '40',
        },
      });
      scenario.finance.setFaults({ latencyMs: flood.financeLatencyMs });
      await scenario.producer({ count: flood.invoices, tenant: 'acme' }).done;
      await Promise.all([scenario.fleet.start('a'), scenario.fleet.start('b')]);
      scenario.sampler.phase('kills');
      const quiet = scenario.producer({ count: flood.quiet, rate: flood.quietRate, tenant: 'globex' });
      const total = flood.invoices + flood.quiet;
      const kills = await killAtRandom(scenario, {
        kills: flood.kills,
        instances: ['a', 'b'],
        gapMs: [100, 1_500],
        random: seededRandom(seed),
        preferStarted: true,
        // While acme's flood is still being pushed, with pushes in flight: the kill cuts some off.
        moment: () =>
          eventually(
            () => {
              const acme = scenario.finance.invoices().filter((row) => row.tenant_id === 'acme').length;
              if (acme >= flood.invoices) return false;
              return scenario.finance.stats().inFlight > 0 ? true : undefined;
            },
            { timeoutMs: 120_000, intervalMs: 20, what: 'acme pushes in flight' },
          ),
      });
      await quiet.done;
      const drainFrom = Math.max(quiet.finishedAt(), Date.now());
      scenario.sampler.phase('drain');
      const valid = [
        ...sequenceInvoices(scenario.run, flood.invoices, 0, 'acme'),
        ...sequenceInvoices(scenario.run, flood.quiet, 0, 'globex'),
      ];
      expect(valid).toHaveLength(total);
      const result = await settleAndCheck(scenario, { valid }, { drainFrom, timeoutMs: scale.timeoutMs / 2 });
      recordReport(scenario, scale, startedAt, result, { seed, kills });
      expect(result.violations).toEqual([]);
      expect(kills.filter((kill) => kill.financeInFlight > 0)).toHaveLength(flood.kills);
      expect(result.figures.duplicateFinanceCalls).toBeLessThanOrEqual(kills.length * REPEATS_PER_KILL);
    },
    scale.timeoutMs,
  );
});
