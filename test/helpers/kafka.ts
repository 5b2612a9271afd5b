import { randomUUID } from 'node:crypto';
import { type IHeaders, Kafka, logLevel, Partitioners } from 'kafkajs';
import { inject, onTestFinished } from 'vitest';
import { ensureTopics } from '../../src/platform/kafka/kafka-client.ts';
import { eventually } from './eventually.ts';

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export function testKafka(): Kafka {
  return new Kafka({
    clientId: 'test',
    brokers: inject('kafkaBrokers').split(','),
    logLevel: logLevel.NOTHING,
  });
}

export async function createTopics(
  kafka: Kafka,
  topics: { topic: string; numPartitions?: number }[],
): Promise<void> {
  await ensureTopics(
    kafka,
    topics.map(({ topic, numPartitions }) => ({
      topic,
      numPartitions: numPartitions ?? 1,
      replicationFactor: 1,
    })),
  );
}

export async function produce(
  kafka: Kafka,
  topic: string,
  messages: { key: string | null; value: Buffer | null; headers?: IHeaders; partition?: number }[],
): Promise<void> {
  const producer = kafka.producer({
    allowAutoTopicCreation: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return out;
}

/**
 * A reader that collects everything on a topic from the beginning (its own throwaway group),
 * for assertions like "exactly one pushed event". Stop it with `close()`.
 */
export async function topicReader(kafka: Kafka, topic: string) {
  const messages: ReadMessage[] = [];
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, sessionTimeout: 10_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      messages.push({
        partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
        value: message.value,
        headers: headersOf(message.headers),
      });
    },
  });
  return {
    messages,
    /** Waits until at least `count` messages arrived; returns them all. */
    async waitFor(count: number, timeoutMs = 60_000): Promise<ReadMessage[]> {
      return eventually(() => (messages.length >= count ? [...messages] : undefined), {
        timeoutMs,
        what: `${count} message(s) on ${topic} (have ${messages.length})`,
      });
    },
    close: () => consumer.disconnect(),
  };
}

/** A `topicReader` of the shared broker, closed when the test ends. */
export async function topicReaderForTest(topic: string): Promise<Awaited<ReturnType<typeof topicReader>>> {
  const reader = await topicReader(testKafka(), topic);
  onTestFinished(() => reader.close());
  return reader;
}
