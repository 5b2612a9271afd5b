// Tests src/adapters/kafka/topic-range-reader.ts (kept next to the commands that use it).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type RangeRecord, readRange } from '../../src/adapters/kafka/topic-range-reader.ts';
import { createTopics, produce, testKafka } from '../helpers/kafka.ts';

async function topicWith(count: number, partitions = 2): Promise<string> {
  const topic = `range-${randomUUID()}`;
  const kafka = testKafka();
  await createTopics(kafka, [{ topic, numPartitions: partitions }]);
  // One send per record: each is its own record batch, so tiny fetches return one at a time.
  for (let i = 0; i < count; i += 1) {
    await produce(kafka, topic, [{ key: `k${i}`, value: Buffer.from(`v${i}`), partition: 0 }]);
  }
  return topic;
}

describe('topic range reader: bounded reads that never commit', () => {
  it('hands over exactly the chosen offsets, in order, across many fetches', async () => {
    const topic = await topicWith(12);
    const seen: string[] = [];
    await readRange({
      kafka: testKafka(),
      topic,
      ranges: [
        { partition: 0, start: 3n, end: 10n },
        { partition: 1, start: 0n, end: 0n },
      ],
      maxBytesPerPartition: 1,
      onRecord: async ({ partition, offset, message }) => {
        seen.push(`${partition}:${offset}=${message.value?.toString()}`);
      },
    });
    expect(seen).toEqual(['0:3=v3', '0:4=v4', '0:5=v5', '0:6=v6', '0:7=v7', '0:8=v8', '0:9=v9']);
  });

  it('stops at the record whose handler throws and rethrows its error', async () => {
    const topic = await topicWith(5, 1);
    const seen: RangeRecord[] = [];
    const failure = new Error('finance is down');
    await expect(
      readRange({
        kafka: testKafka(),
        topic,
        ranges: [{ partition: 0, start: 0n, end: 5n }],
        onRecord: async (record) => {
          seen.push(record);
          if (record.offset === '2') throw failure;
        },
      }),
    ).rejects.toBe(failure);
    expect(seen.map((r) => r.offset)).toEqual(['0', '1', '2']);
  });
});
