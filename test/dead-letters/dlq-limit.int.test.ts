import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { dlqList } from '../../src/dead-letters/dlq.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { openReadOnlyInfrastructure } from '../../src/service/read-only-infrastructure.ts';
import { captureOutput } from '../helpers/command-test-kit.ts';
import { createTopics, produce, testKafka } from '../helpers/kafka.ts';
import { testEnv } from '../helpers/service.ts';

const T0 = Date.parse('2026-05-01T00:00:00Z');

/** A Kafka client that records the offset of every record its consumers are handed by a fetch. */
function fetchRecording(kafka: Kafka) {
  const fetched: Record<number, number[]> = {};
  const recording = Object.create(kafka) as Kafka;
  recording.consumer = (config) => {
    const consumer = kafka.consumer(config);
    const run = consumer.run.bind(consumer);
    consumer.run = (runConfig) => {
      const eachBatch = runConfig?.eachBatch;
      if (eachBatch === undefined) return run(runConfig);
      return run({
        ...runConfig,
        eachBatch: async (payload) => {
          // rawMessages: every record the fetch returned, before kafkajs drops those below the fetch offset.
          const { batch } = payload as unknown as {
            batch: { partition: number; rawMessages: { offset: string }[] };
          };
          fetched[batch.partition] ??= [];
          fetched[batch.partition]?.push(...batch.rawMessages.map((m) => Number(m.offset)));
          return eachBatch(payload);
        },
      });
    };
    return consumer;
  };
  return { kafka: recording, fetched };
}

/** Dead letters failing at T0 + `seconds` s, one produce request each (one record batch each). */
async function deadLettersAt(topic: string, partition: number, seconds: number[]) {
  for (const second of seconds) {
    await produce(testKafka(), topic, [
      {
        key: `k:${partition}:${second}`,
        value: Buffer.from(`failed at ${second}`),
        partition,
        headers: {
          [DLQ_HEADER.timestamp]: String(T0 + second * 1000),
          [DLQ_HEADER.errorCode]: 'EVENT_UNDECODABLE',
          [DLQ_HEADER.exceptionMessage]: `bad record ${second}`,
        },
      },
    ]);
  }
}

describe('dlq list --limit', () => {
  it('lists the newest n overall and fetches only the newest n of each partition', async () => {
    const env = testEnv();
    const topic = env.TOPIC_LINES_INGESTED_DLQ as string;
    await createTopics(testKafka(), [{ topic, numPartitions: 2 }]);
    await deadLettersAt(topic, 0, [1, 2, 3, 4, 9, 11]); // offsets 0..5
    await deadLettersAt(topic, 1, [5, 6, 7, 8, 10]); // offsets 0..4
    const infra = await openReadOnlyInfrastructure(
      loadConfig(env),
      createLogger({ level: 'silent', pretty: false }),
    );
    const limited = fetchRecording(infra.kafka);

    const output = captureOutput();
    const views = await dlqList({ ...infra, kafka: limited.kafka }, { limit: 3 }, output);

    expect(views.map((view) => `${view.partition}:${view.offset}`)).toEqual(['0:4', '1:4', '0:5']);
    expect(output.outLines.map((line) => line.split('  ').slice(0, 2))).toEqual([
      ['0:4', '2026-05-01T00:00:09.000Z'],
      ['1:4', '2026-05-01T00:00:10.000Z'],
      ['0:5', '2026-05-01T00:00:11.000Z'],
    ]);
    expect(limited.fetched).toEqual({ 0: [3, 4, 5], 1: [2, 3, 4] });

    const whole = fetchRecording(infra.kafka);
    const all = await dlqList({ ...infra, kafka: whole.kafka }, {}, captureOutput());
    expect(all).toHaveLength(11);
    expect(whole.fetched).toEqual({ 0: [0, 1, 2, 3, 4, 5], 1: [0, 1, 2, 3, 4] });
  });

  it('answers "no dead letters" for a dead-letter topic that does not exist, without creating it', async () => {
    const env = testEnv();
    const topic = env.TOPIC_LINES_INGESTED_DLQ as string;
    const infra = await openReadOnlyInfrastructure(
      loadConfig(env),
      createLogger({ level: 'silent', pretty: false }),
    );
    const output = captureOutput();

    expect(await dlqList(infra, { limit: 5 }, output)).toEqual([]);
    expect(output.errLines).toEqual([`no dead letters in ${topic}`]);
    const admin = testKafka().admin();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.disconnect();
  });
});
