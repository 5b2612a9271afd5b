import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { eventually } from '../../helpers/eventually.ts';
import type { ReadMessage } from '../../helpers/kafka.ts';

/** Records behind the high watermark, summed over the topic's partitions (nothing committed: all). */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const committedOf = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  let lag = 0;
  for (const { partition, high, low } of ends) {
    const at = committedOf.get(partition) ?? -1;
    lag += Number(high) - (at < 0 ? Number(low) : at);
  }
  return lag;
}

/** How many records the topic holds (nothing is deleted or compacted during a run). */
export async function recordCount(admin: Admin, topic: string): Promise<number> {
  const ends = await admin.fetchTopicOffsets(topic);
  return ends.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
}

/** Every record of a topic, read through a throwaway group up to the high watermark at the call. */
export async function readWholeTopic(kafka: Kafka, admin: Admin, topic: string): Promise<ReadMessage[]> {
  const total = await recordCount(admin, topic);
  if (total === 0) return [];
  const messages: ReadMessage[] = [];
  const consumer = kafka.consumer({ groupId: `chaos-check-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          messages.push({
            partition: batch.partition,
            offset: message.offset,
            key: message.key?.toString('utf8') ?? null,
            value: message.value,
            headers: Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
            ),
          });
        }
      },
    });
    await eventually(() => (messages.length >= total ? true : undefined), {
      timeoutMs: 120_000,
      what: `all ${total} records of ${topic}`,
    });
    return messages;
  } finally {
    await consumer.disconnect();
  }
}
