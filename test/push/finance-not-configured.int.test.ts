import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { testKafka } from '../helpers/kafka.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { logCapture, publishLinesIngested, serviceForTest, smallInvoice } from '../helpers/service.ts';

describe('pusher without a finance secret', () => {
  it('does not join its group, says why once, and pushes what was published meanwhile once the secret is set', async () => {
    const { lines, logger } = logCapture();
    const {
      env: withoutSecret,
      finance,
      infra,
      service: disabled,
    } = await pipelineForTest({ roles: { recorder: true }, secret: null, logger });

    const readiness = await disabled.readiness();
    expect(readiness.finance).toEqual({
      enabled: false,
      reason:
        'finance is not configured: set FINANCE_JWT_SECRET or FINANCE_JWT_SECRET_FILE to enable pushing',
    });
    expect((readiness.consumers as { name: string }[]).map((c) => c.name)).toEqual(['recorder']);
    const reasons = lines.filter((line) => line.includes('pusher not started'));
    expect(reasons).toHaveLength(1);

    await publishLinesIngested(infra, smallInvoice('INV-WHILE-DISABLED'));
    const admin = testKafka().admin();
    await admin.connect();
    const groups = await admin.listGroups();
    expect(groups.groups.map((g) => g.groupId)).not.toContain(withoutSecret.PUSHER_GROUP_ID);
    await admin.disconnect();
    await disabled.stop();
    expect(finance.stats().requests).toBe(0);

    await serviceForTest({
      ...withoutSecret,
      FINANCE_JWT_SECRET: 'test-secret-that-is-at-least-32-bytes-long!',
    });
    await eventually(() => (finance.invoices().length === 1 ? true : undefined), {
      what: 'the event published while disabled, pushed after restart',
    });
    expect(finance.invoices()[0]?.external_id).toBe('INV-WHILE-DISABLED');
  });
});
