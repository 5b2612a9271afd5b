import type { Message, Producer } from 'kafkajs';
import { SyncError } from '../../core/errors.ts';
import type { OutgoingRecord } from './kafka-client.ts';

interface Pending {
  record: OutgoingRecord;
  resolve(): void;
  reject(error: unknown): void;
}

export interface CoalescingOptions {
  /** Most records in one produce request. */
  maxBatch: number;
  /** How long the first record of a batch waits for company (ms), like the Java client's linger.ms. */
  lingerMs: number;
}

/**
 * Durable sends (acks = -1) that share produce requests: records handed over while a request is
 * being filled go out together, and each caller is told once the broker acknowledged its record.
 * kafkajs sends one request per `send()` call; with many pushes in flight this coalescing is what
 * keeps the announcements from costing a broker round trip each.
 */
export class CoalescingSender {
  readonly #producer: Producer;
  readonly #options: CoalescingOptions;
  #queue: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(producer: Producer, options: CoalescingOptions = { maxBatch: 500, lingerMs: 2 }) {
    this.#producer = producer;
    this.#options = options;
  }

  send(record: OutgoingRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ record, resolve, reject });
      if (this.#queue.length >= this.#options.maxBatch) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.#options.lingerMs);
    });
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const { record } of batch) {
      const messages = byTopic.get(record.topic) ?? [];
      messages.push({ key: record.key, value: record.value, headers: record.headers });
      byTopic.set(record.topic, messages);
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    this.#producer.sendBatch({ acks: -1, topicMessages }).then(
      () => {
        for (const pending of batch) pending.resolve();
      },
      (error: unknown) => {
        const topics = [...byTopic.keys()].join(', ');
        const failure = new SyncError(
          'KAFKA_PRODUCE_FAILED',
          `producing to ${topics} failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
        for (const pending of batch) pending.reject(failure);
      },
    );
  }
}
