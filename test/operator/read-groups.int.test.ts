import { describe, expect, it } from 'vitest';
import { invoiceHistory } from '../../src/console/invoice-history.ts';
import { dlqList } from '../../src/dead-letters/dlq.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { replayCommand } from '../../src/replay/replay.ts';
import type { Infrastructure } from '../../src/service/infrastructure.ts';
import { captureOutput, publishAt } from '../helpers/command-test-kit.ts';
import { produce, testKafka } from '../helpers/kafka.ts';
import { financeForTest, infraForTest, smallInvoice, testEnv } from '../helpers/service.ts';
import { uniqueSuffix } from '../helpers/test-config.ts';

async function groupsWith(prefix: string): Promise<string[]> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
  } finally {
    await admin.disconnect();
  }
}

/** Notes the group id of every consumer the infrastructure's client makes (the reads' groups). */
function recordGroups(infra: Infrastructure): string[] {
  const made: string[] = [];
  const consumer = infra.kafka.consumer.bind(infra.kafka);
  infra.kafka.consumer = (config) => {
    made.push(config.groupId);
    return consumer(config);
  };
  return made;
}

describe('one-shot reads leave no consumer group behind', () => {
  it('replay (dry run and real), dlq list and an invoice search each delete the groups they joined', async () => {
    const finance = await financeForTest();
    // Groups of this test only: other files read the same broker at the same time.
    const prefix = `test-reads-${uniqueSuffix()}`;
    const env = testEnv({ financeUrl: finance.url, env: { KAFKA_READ_GROUP_PREFIX: prefix } });
    const infra = await infraForTest(env);
    const made = recordGroups(infra);
    const event = smallInvoice('INV-GROUPS');
    await publishAt(infra, event, 0);
    await produce(testKafka(), env.TOPIC_LINES_INGESTED as string, [
      { key: 'k:not-avro', value: Buffer.from('not avro'), partition: 0 },
    ]);
    expect(await groupsWith(prefix)).toEqual([]);

    const dry = await replayCommand(infra, { dryRun: true }, captureOutput());
    expect(dry).toMatchObject({ read: 2, dry_run: true });
    const real = await replayCommand(infra, { dryRun: false }, captureOutput());
    expect(real).toMatchObject({ read: 2, created: 1, dead_lettered: 1 });
    const dead = await dlqList(infra, {}, captureOutput());
    expect(dead.map((view) => view.key)).toEqual(['k:not-avro']);
    const history = await invoiceHistory(infra, infra.recentPushes, invoiceKey(event));
    expect(history.errors).toEqual([]);
    expect(history.announced.map((a) => a.event.causation_event_id)).toEqual([event.event_id]);

    const kinds = made.map((id) => id.slice(prefix.length + 1).replace(/-[0-9a-f-]{36}$/, ''));
    // Two groups per replay (the newest-version pass, then the listing or pushing one), the
    // dead-letter list's, and the announcements search's (the key's dead-letter partition is empty:
    // that search has nothing to read and joins no group).
    expect(kinds.sort()).toEqual(['dlq', 'replay', 'replay', 'replay-index', 'replay-index', 'search']);
    expect(await groupsWith(prefix)).toEqual([]);
  });
});
