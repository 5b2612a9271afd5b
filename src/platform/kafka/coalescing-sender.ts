import type { Message, Producer } from 'kafkajs';
import { SyncError } from '../../failures/errors.ts';
import { Coalescer } from '../coalescer.ts';
import type { DurableSender, OutgoingRecord } from './kafka-client.ts';

/**
 * Durable sends (acks = -1) that share produce requests: records handed over within `lingerMs` go
 * out together, and each caller is told once the broker acknowledged its record. kafkajs sends one
 * request per `send()` call; with many pushes in flight this is what keeps each announcement from
 * costing a broker round trip. Order is kept: records of one batch keep their submission order.
 */
export class CoalescingSender implements DurableSender {
  readonly #coalescer: Coalescer<OutgoingRecord, undefined>;

  constructor(producer: Producer, options = { maxBatch: 500, lingerMs: 2 }) {
    this.#coalescer = new Coalescer((records) => sendAll(producer, records), options);
  }

  send(record: OutgoingRecord): Promise<void> {
    return this.#coalescer.submit(record);
  }
}

async function sendAll(producer: Producer, records: OutgoingRecord[]): Promise<undefined[]> {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const messages = byTopic.get(record.topic) ?? [];
    messages.push({ key: record.key, value: record.value, headers: record.headers });
    byTopic.set(record.topic, messages);
  }
  try {
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  } catch (error) {
    const topics = [...byTopic.keys()].join(', ');
    throw new SyncError(
      'KAFKA_PRODUCE_FAILED',
      `producing to ${topics} failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return records.map(() => undefined);
}
