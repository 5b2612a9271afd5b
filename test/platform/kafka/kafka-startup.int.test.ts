import { describe, expect, it } from 'vitest';
import { dedicatedBrokerForTest } from '../../helpers/dedicated-broker.ts';
import { eventually } from '../../helpers/eventually.ts';
import {
  april2026Event,
  financeForTest,
  logCapture,
  publishLinesIngested,
  serviceForTest,
  testEnv,
} from '../../helpers/service.ts';

const WARN_OR_ABOVE = /"level":"(warn|error|fatal)"/;

describe('kafkajs start-up chatter', () => {
  it('a service starting on a fresh broker and fresh topics logs no line at warn or above up to its first recorded push, and says at debug what kafkajs answered meanwhile', async () => {
    // A broker that has never seen a consumer group: its group coordinator is still loading when
    // the consumers join, and the topics are created by the service itself.
    const broker = await dedicatedBrokerForTest();
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url, env: { KAFKA_BROKERS: broker.brokers } });
    const capture = logCapture();
    const service = await serviceForTest(env, { pusher: true, recorder: true }, capture.logger);
    await eventually(async () => ((await service.readiness()).ready ? true : undefined), {
      what: 'both consumers to join their groups',
    });

    const event = april2026Event();
    await publishLinesIngested(service.infra, event);
    const rows = await eventually(
      async () => {
        const found = await service.infra.database.orm.em
          .getConnection()
          .execute<{ amount_cents: number }[]>(
            'select amount_cents::int as amount_cents from cloud_invoices where provider_invoice_id = ?',
            [event.provider_invoice_id],
          );
        return found.length > 0 ? found : undefined;
      },
      { what: 'the recorder to record the first push' },
    );

    expect(rows).toEqual([{ amount_cents: 8692 }]);
    expect(finance.invoices()).toHaveLength(1);
    expect(capture.lines.filter((line) => WARN_OR_ABOVE.test(line))).toEqual([]);
    // The lines are there, at debug: a fresh coordinator answers the first join with an error.
    const kafkajsDebug = capture.lines.filter(
      (line) => line.includes('"component":"kafkajs"') && line.includes('"level":"debug"'),
    );
    expect(kafkajsDebug.length).toBeGreaterThan(0);
  });
});
