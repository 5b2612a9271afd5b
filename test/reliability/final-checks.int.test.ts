import { describe, expect, it } from 'vitest';
import { produce } from '../helpers/kafka.ts';
import { sequenceInvoices, settleAndCheck } from './harness/final-checks.ts';
import { startScenario } from './harness/scenario.ts';

// The checks must have teeth: a run that loses invoices or dead-letters without a reason fails.
describe('reliability checks', () => {
  it('name every lost invoice, the lag left behind and a dead letter without a reason', async () => {
    const scenario = await startScenario('checks-self-test');
    await scenario.producer({ count: 3 }).done;
    // No service ever runs: all three are lost. And a dead letter nobody meant, with no headers.
    await produce(scenario.kafka, scenario.env.TOPIC_LINES_INGESTED_DLQ as string, [
      { key: 'platform-admin:digitalocean:STRAY', value: Buffer.from('x') },
    ]);
    const result = await settleAndCheck(
      scenario,
      { valid: sequenceInvoices(scenario.run, 3) },
      { drainFrom: Date.now(), timeoutMs: 1_000 },
    );
    expect(result.figures).toMatchObject({ invoices: 3, financeRows: 0, cloudInvoiceRows: 0, lost: 3 });
    expect(result.violations).toEqual([
      expect.stringMatching(/^3 invoices lost: platform-admin:digitalocean:CHAOS-\w+-000000, /),
      expect.stringMatching(/^3 invoices missing in finance: /),
      expect.stringMatching(/^cloud_invoices unreadable: database "ifs_chaos_\w+" does not exist$/),
      'cloud_invoices holds 0 rows, expected 3',
      expect.stringMatching(/^3 invoices never announced: /),
      'pusher group ends with lag 3',
      'dead letter platform-admin:digitalocean:STRAY at 0 carries no reason',
      'unintended dead letter platform-admin:digitalocean:STRAY: undefined: undefined',
    ]);
  });
});
