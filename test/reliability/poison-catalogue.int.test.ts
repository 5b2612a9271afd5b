import { describe, expect, it } from 'vitest';
import { loadContracts } from '../../src/platform/registry/contracts.ts';
import { financeRejectedId, KINDS, poisonCatalogue } from '../../tools/chaos/poison-catalogue.ts';
import { sequenceInvoices, settleAndCheck } from './harness/final-checks.ts';
import { chaosScale } from './harness/scale.ts';
import { startScenario } from './harness/scenario.ts';
import { recordReport } from './harness/scenario-report.ts';

const scale = chaosScale();

/** What each catalogue record must end as; the values do not matter here, only keys and outcomes. */
function expectations(run: string) {
  const catalogue = poisonCatalogue(run, { contracts: loadContracts(), linesSchemaId: 1, pushedSchemaId: 2 });
  const deadLetters = catalogue.flatMap((record) =>
    'deadLetter' in record.outcome ? [{ key: record.key, code: record.outcome.deadLetter }] : [],
  );
  const pushed = catalogue.flatMap((record) =>
    'pushed' in record.outcome ? [{ key: record.key as string, gross: record.outcome.pushed.gross }] : [],
  );
  return { deadLetters, pushed, kinds: catalogue.map((r) => `${r.kind}: ${JSON.stringify(r.outcome)}`) };
}

describe('reliability: a poison catalogue between valid invoices', () => {
  it(
    `${KINDS.length} kinds of bad or unusual records: each dead-lettered with its reason or pushed, every valid invoice arrives, the service stays ready`,
    async () => {
      const startedAt = Date.now();
      const scenario = await startScenario('poison-catalogue');
      scenario.finance.setFaults({ rejectInvoices: [financeRejectedId(scenario.run)] });
      await scenario.fleet.start('a');
      scenario.sampler.phase('poison');
      const count = scale.poisonSpacing * (KINDS.length + 1);
      const producer = scenario.producer({ count, poisonEvery: scale.poisonSpacing });
      await producer.done;
      const expected = expectations(scenario.run);
      const result = await settleAndCheck(
        scenario,
        {
          valid: [...sequenceInvoices(scenario.run, count), ...expected.pushed],
          deadLetters: expected.deadLetters,
        },
        { drainFrom: producer.finishedAt(), timeoutMs: scale.timeoutMs / 2 },
      );
      recordReport(scenario, scale, startedAt, result, { kinds: expected.kinds });
      expect(result.violations).toEqual([]);
      expect(KINDS.length).toBeGreaterThanOrEqual(15);
      const poisoned = scenario.sampler.during('poison');
      expect(poisoned.length).toBeGreaterThan(0);
      expect(poisoned.filter((sample) => sample.status !== 200)).toEqual([]);
    },
    scale.timeoutMs,
  );
});
