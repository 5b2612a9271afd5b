// Tests src/platform/kafka/topic-range-reader.ts (kept next to the commands that use it).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/ops/logger.ts';
import { type RangeRecord, readRange } from '../../../src/platform/kafka/topic-range-reader.ts';
import { createTopics, produce, testKafka } from '../../helpers/kafka.ts';

const log = createLogger({ level: 'silent', pretty: false });

/** A group prefix only this test uses, so groups of tests running alongside are not counted. */
function testPrefix(): string {
  return `test-read-${randomUUID()}`;
}

async function groupsWith(prefix: string): Promise<string[]> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
  } finally {
    await admin.disconnect();
  }
}

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
      groupPrefix: testPrefix(),
      log,
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
        groupPrefix: testPrefix(),
        log,
        onRecord: async (record) => {
          seen.push(record);
          if (record.offset === '2') throw failure;
        },
      }),
    ).rejects.toBe(failure);
    expect(seen.map((r) => r.offset)).toEqual(['0', '1', '2']);
  });

  it('deletes its throwaway group when the read ends, and when it fails', async () => {
    const topic = await topicWith(3, 1);
    const prefix = testPrefix();
    const during: string[][] = [];
    const result = await readRange({
      kafka: testKafka(),
      topic,
      ranges: [{ partition: 0, start: 0n, end: 3n }],
      groupPrefix: prefix,
      log,
      onRecord: async (record) => {
        if (record.offset === '0') during.push(await groupsWith(prefix));
      },
    });
    expect(result).toEqual({ read: 3 });
    expect(during).toEqual([[expect.stringMatching(new RegExp(`^${prefix}-[0-9a-f-]{36}$`))]]);
    expect(await groupsWith(prefix)).toEqual([]);

    const failing = testPrefix();
    await expect(
      readRange({
        kafka: testKafka(),
        topic,
        ranges: [{ partition: 0, start: 0n, end: 3n }],
        groupPrefix: failing,
        log,
        onRecord: async () => {
          throw new Error('handler failed');
        },
      }),
    ).rejects.toThrow('handler failed');
    expect(await groupsWith(failing)).toEqual([]);
  });

  it('stops at the record limit without reading the record past it, and says so', async () => {
    const topic = await topicWith(12, 1);
    const seen: string[] = [];
    const prefix = testPrefix();
    const result = await readRange({
      kafka: testKafka(),
      topic,
      ranges: [{ partition: 0, start: 0n, end: 12n }],
      groupPrefix: prefix,
      log,
      maxBytesPerPartition: 1,
      limits: { maxRecords: 5, timeoutMs: 60_000 },
      onRecord: async ({ offset }) => {
        seen.push(offset);
      },
    });
    expect(result).toEqual({ read: 5, stoppedEarly: { reason: 'record limit', read: 5 } });
    expect(seen).toEqual(['0', '1', '2', '3', '4']);
    expect(await groupsWith(prefix)).toEqual([]);

    const exact = await readRange({
      kafka: testKafka(),
      topic,
      ranges: [{ partition: 0, start: 7n, end: 12n }],
      groupPrefix: prefix,
      log,
      limits: { maxRecords: 5 },
      onRecord: async () => undefined,
    });
    expect(exact).toEqual({ read: 5 }); // a range of exactly the limit is read whole
  });

  it('stops at the time limit while a record is slow, and says how many it had read', async () => {
    const topic = await topicWith(6, 1);
    const seen: string[] = [];
    const prefix = testPrefix();
    const timeoutMs = 6_000; // far more than a join takes, so records 0 and 1 are reached in time
    const started = Date.now();
    const result = await readRange({
      kafka: testKafka(),
      topic,
      ranges: [{ partition: 0, start: 0n, end: 6n }],
      groupPrefix: prefix,
      log,
      limits: { timeoutMs },
      onRecord: async ({ offset }) => {
        seen.push(offset);
        // A slow handler (not a synchronisation): it returns only after the time limit has passed.
        if (offset === '1') await sleep(started + timeoutMs + 500 - Date.now());
      },
    });
    expect(result).toEqual({ read: 2, stoppedEarly: { reason: 'time limit', read: 2 } });
    expect(seen).toEqual(['0', '1']); // nothing more is handed over once the time is up
    expect(Date.now() - started).toBeLessThan(timeoutMs + 10_000);
    expect(await groupsWith(prefix)).toEqual([]);
  });
});
