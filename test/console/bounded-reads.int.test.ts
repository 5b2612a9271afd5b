import { describe, expect, it } from 'vitest';
import { deadLetterDesk } from '../../src/console/dead-letter-desk.ts';
import { invoiceHistory } from '../../src/console/invoice-history.ts';
import { replayRunner } from '../../src/console/replay-adapter.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { partitionForKey } from '../../src/platform/kafka/key-partitioner.ts';
import { fetchPartitionBounds } from '../../src/platform/kafka/partition-bounds.ts';
import type { Infrastructure } from '../../src/service/infrastructure.ts';
import { pushedEvent } from '../fixtures/pushed-event.ts';
import { publishAt } from '../helpers/command-test-kit.ts';
import { produce, testKafka } from '../helpers/kafka.ts';
import { infraForTest, smallInvoice, testEnv } from '../helpers/service.ts';

const LIMIT = 5; // OPS_READ_MAX_RECORDS of these tests: every topic here holds more

async function keyPartition(infra: Infrastructure, topic: string, key: string): Promise<number> {
  return partitionForKey(key, (await fetchPartitionBounds(infra.kafka, topic, {})).length);
}

/** Records of another key, in the partition under search: read, never matched. */
const others = (count: number, partition: number) =>
  Array.from({ length: count }, (_, i) => ({ key: `other:key:${i}`, value: Buffer.from('x'), partition }));

describe('console reads are bounded by OPS_READ_MAX_RECORDS and say when they stopped early', () => {
  it('replay preview: lists the first records up to the limit and reports the record limit', async () => {
    const env = testEnv({ secret: null, env: { OPS_READ_MAX_RECORDS: String(LIMIT) } });
    const infra = await infraForTest(env);
    for (let i = 0; i < 12; i += 1) await publishAt(infra, smallInvoice(`INV-BOUND-${i}`), 0);

    const preview = await replayRunner(infra).preview({ partitions: [0] }, 200);

    expect(preview.stoppedEarly).toEqual({ reason: 'record limit', read: LIMIT });
    expect(preview.rows.map((row) => row.split(' ')[0])).toEqual(['0:0', '0:1', '0:2', '0:3', '0:4']);
    expect(preview.totals).toMatchObject({ read: LIMIT, selected: LIMIT, pushed: 0 });
    expect(preview.notes).toEqual([
      `replay ${env.TOPIC_LINES_INGESTED}: offsets 0:0..11`,
      'replay: the check for newer versions stopped early after 5 records (record limit); a record listed may still be superseded by a later one',
    ]);

    const within = await replayRunner(infra).preview({ partitions: [0], fromOffset: 8n, toOffset: 9n }, 200);
    expect(within.stoppedEarly).toBeUndefined(); // two records, and four to the topic's end
    expect(within.rows).toHaveLength(2);
  });

  it('invoice search: reads only the newest records of the key partition of each topic and says so', async () => {
    const env = testEnv({ secret: null, env: { OPS_READ_MAX_RECORDS: String(LIMIT) } });
    const infra = await infraForTest(env);
    const pushedTopic = env.TOPIC_PUSHED_TO_FINANCE as string;
    const dlqTopic = env.TOPIC_LINES_INGESTED_DLQ as string;
    const [old, newer, newest] = [0, 1, 2].map(() => pushedEvent({ provider_invoice_id: 'INV-BOUNDED' }));
    const key = invoiceKey(newest as NonNullable<typeof newest>);
    const encode = (event: typeof old) =>
      infra.codec.encode(infra.schemaIds.pushedToFinance, infra.contracts.pushedToFinance, event);
    const p = await keyPartition(infra, pushedTopic, key);
    // 9 records in the key's partition: the oldest announcement falls outside the newest 5.
    await produce(testKafka(), pushedTopic, [
      { key, value: await encode(old), partition: p },
      ...others(6, p),
      { key, value: await encode(newer), partition: p },
      { key, value: await encode(newest), partition: p },
    ]);
    const q = await keyPartition(infra, dlqTopic, key);
    // 7 dead letters in the key's partition: only the last of the key's two is among the newest 5.
    await produce(testKafka(), dlqTopic, [
      { key, value: Buffer.from('first'), partition: q },
      ...others(5, q),
      { key, value: Buffer.from('second'), partition: q },
    ]);

    const history = await invoiceHistory(infra, infra.recentPushes, key);

    expect(history.errors).toEqual([]);
    expect(history.announced.map((a) => a.event.event_id)).toEqual([newer?.event_id, newest?.event_id]);
    expect(history.deadLetters.map((d) => [d.offset, d.value?.toString()])).toEqual([['6', 'second']]);
    expect(history.window).toBe(LIMIT);
    expect(history.stoppedEarly?.sort((a, b) => a.source.localeCompare(b.source))).toEqual(
      [
        { source: pushedTopic, reason: 'record limit', read: LIMIT },
        { source: dlqTopic, reason: 'record limit', read: LIMIT },
      ].sort((a, b) => a.source.localeCompare(b.source)),
    );
  });

  it('dead-letter list: stops at the record limit and marks the list as partial', async () => {
    const env = testEnv({ secret: null, env: { OPS_READ_MAX_RECORDS: String(LIMIT) } });
    const infra = await infraForTest(env);
    await produce(testKafka(), env.TOPIC_LINES_INGESTED_DLQ as string, others(7, 0));

    const list = await deadLetterDesk(infra).list('pusher', 200);

    expect(list.stoppedEarly).toEqual({ reason: 'record limit', read: LIMIT });
    expect(list.map((view) => view.offset)).toEqual(['4', '3', '2', '1', '0']);
  });
});
