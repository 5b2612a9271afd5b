import { randomUUID } from 'node:crypto';
import { type IHeaders, Partitioners } from 'kafkajs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { dlqRedrive } from '../../src/dead-letters/dlq.ts';
import { UsageError } from '../../src/failures/usage-error.ts';
import { captureOutput } from '../helpers/command-test-kit.ts';
import { createTopics, produce, testKafka, topicReader } from '../helpers/kafka.ts';
import { infraForTest, testEnv } from '../helpers/service.ts';

/**
 * `dlq redrive` against the real broker: headers of a dead letter say where it came from, but only
 * the configured source topic may receive it, and on the partition it came from, not where kafkajs's
 * partitioner would put its key.
 */
const PARTITIONS = 3;
const ORIGIN = 2; // the partition the upstream producer (not kafkajs) had put the record on

/** A key kafkajs's default partitioner puts on another partition than `avoid`, so a partition-less send would miss. */
function keyAwayFrom(avoid: number): string {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  for (let i = 0; ; i += 1) {
    const key = `platform-admin:digitalocean:INV-${i}`;
    if (partitioner({ topic: 't', partitionMetadata, message: { key, value: null } }) !== avoid) return key;
  }
}

function reasonHeaders(topic: string | string[], partition: string): IHeaders {
  return {
    traceparent: '00-abc-def-01',
    [DLQ_HEADER.topic]: topic,
    [DLQ_HEADER.partition]: partition,
    [DLQ_HEADER.offset]: '5',
    [DLQ_HEADER.timestamp]: String(Date.now()),
    [DLQ_HEADER.errorCode]: 'INVOICE_TOTAL_MISMATCH',
  };
}

async function stackWithThreePartitions() {
  const env = testEnv({ env: { KAFKA_TOPIC_PARTITIONS: String(PARTITIONS) } });
  const infra = await infraForTest(env); // creates the four configured topics, three partitions each
  const victim = `${infra.config.topics.linesIngested}.victim-${randomUUID().slice(0, 8)}`;
  await createTopics(testKafka(), [{ topic: victim, numPartitions: PARTITIONS }]);
  return { infra, topics: infra.config.topics, victim };
}

async function messageCount(topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('dlq redrive: only to the configured source topic, on the partition the record came from', () => {
  it('sends a dead letter from partition 2 back to partition 2; forged or absurd headers are skipped with a reason', async () => {
    const { infra, topics, victim } = await stackWithThreePartitions();
    const key = keyAwayFrom(ORIGIN);
    const source = topics.linesIngested;
    await produce(testKafka(), topics.deadLetter, [
      { key, value: Buffer.from('v-origin'), partition: 0, headers: reasonHeaders(source, String(ORIGIN)) },
      { key, value: Buffer.from('v-forged'), partition: 0, headers: reasonHeaders(victim, '1') },
      { key, value: Buffer.from('v-beyond'), partition: 0, headers: reasonHeaders(source, '3') },
      { key, value: Buffer.from('v-negative'), partition: 0, headers: reasonHeaders(source, '-1') },
      { key, value: Buffer.from('v-twice'), partition: 0, headers: reasonHeaders([source, victim], '0') },
      { key, value: Buffer.from('v-nothing'), partition: 0, headers: { traceparent: 'x' } },
    ]);
    const from = (offset: number) => `${topics.deadLetter}/0/${offset}`;
    const out = captureOutput();

    const result = await dlqRedrive(infra, { all: true }, out);

    expect(result.redriven).toEqual([
      { from: from(0), to: { topic: source, partition: ORIGIN, offset: '0' } },
    ]);
    expect(result.skipped).toEqual([
      {
        from: from(1),
        why: `${DLQ_HEADER.topic} "${victim}" is not ${source}, the one topic dead letters of ${topics.deadLetter} go back to`,
      },
      { from: from(2), why: `${DLQ_HEADER.partition} 3 is beyond ${source}'s 3 partition(s) (0..2)` },
      { from: from(3), why: `${DLQ_HEADER.partition} "-1" is not a partition number` },
      {
        from: from(4),
        why: `${DLQ_HEADER.topic} "${source}, ${victim}" is not ${source}, the one topic dead letters of ${topics.deadLetter} go back to`,
      },
      { from: from(5), why: `no ${DLQ_HEADER.topic} header` },
    ]);
    expect(out.errLines).toEqual(['redrive: 1 redriven, 5 skipped']);

    const reader = await topicReader(testKafka(), source);
    onTestFinished(() => reader.close());
    const [copy] = await reader.waitFor(1);
    expect(copy).toMatchObject({
      partition: ORIGIN,
      offset: '0',
      key,
      headers: { traceparent: '00-abc-def-01' },
    });
    expect(copy?.value?.toString()).toBe('v-origin');
    // --force skips "redriven before" only, never a refused header; the forged one reached nothing.
    const forced = await dlqRedrive(
      infra,
      { offsets: [{ partition: 0, offset: 1n }], force: true },
      captureOutput(),
    );
    expect(forced.redriven).toEqual([]);
    expect(await messageCount(victim)).toBe(0);
    expect(await messageCount(source)).toBe(1);
  });

  it("sends the recorder's dead letters back to the pushed-to-finance topic only, on their partition", async () => {
    const { infra, topics } = await stackWithThreePartitions();
    const key = keyAwayFrom(1);
    await produce(testKafka(), topics.recorderDeadLetter, [
      {
        key,
        value: Buffer.from('pushed'),
        partition: 0,
        headers: reasonHeaders(topics.pushedToFinance, '1'),
      },
      { key, value: Buffer.from('lines'), partition: 0, headers: reasonHeaders(topics.linesIngested, '1') },
    ]);

    const result = await dlqRedrive(infra, { topic: topics.recorderDeadLetter, all: true }, captureOutput());

    expect(result.redriven).toEqual([
      {
        from: `${topics.recorderDeadLetter}/0/0`,
        to: { topic: topics.pushedToFinance, partition: 1, offset: '0' },
      },
    ]);
    expect(result.skipped.map((s) => s.why)).toEqual([
      `${DLQ_HEADER.topic} "${topics.linesIngested}" is not ${topics.pushedToFinance}, the one topic dead letters of ${topics.recorderDeadLetter} go back to`,
    ]);
    expect(await messageCount(topics.linesIngested)).toBe(0);
  });

  it('refuses a dead-letter topic that is not configured, before reading it', async () => {
    const { infra, topics, victim } = await stackWithThreePartitions();
    await expect(dlqRedrive(infra, { topic: victim, all: true }, captureOutput())).rejects.toThrow(
      new UsageError(
        `redrive sends dead letters back only from the configured dead-letter topics: ${topics.deadLetter} (to ${topics.linesIngested}) or ${topics.recorderDeadLetter} (to ${topics.pushedToFinance}); "${victim}" is neither`,
      ),
    );
  });
});
