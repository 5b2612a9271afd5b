import { type IHeaders, Kafka, logLevel, type RetryOptions } from 'kafkajs';
import type { Config } from '../../config/config.ts';
import type { Logger } from '../../ops/logger.ts';
import { kafkaLogLevel } from './kafka-log-level.ts';

export interface KafkaClientOptions {
  /** kafkajs retries of every request (default: 8, from 300 ms). */
  retry?: RetryOptions;
  /** How long a request may wait for its response (kafkajs default: 30 s). */
  requestTimeoutMs?: number;
  /** Name of the client in its log lines (`component`). */
  component?: string;
}

/** A kafkajs client whose own log lines go through pino, as structured JSON like the rest. */
export function createKafka(config: Config['kafka'], log: Logger, options: KafkaClientOptions = {}): Kafka {
  const kafkaLog = log.child({ component: options.component ?? 'kafkajs' });
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    logLevel: logLevel.WARN,
    retry: options.retry ?? { initialRetryTime: 300, retries: 8 },
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeout: options.requestTimeoutMs }),
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, timestamp: _timestamp, logger: _logger, ...rest } = entry;
        kafkaLog[kafkaLogLevel(level, entry)](rest, message);
      },
  });
}

export interface OutgoingRecord {
  topic: string;
  key: string | Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

/** Something that sends a record and resolves once the broker has it durably (acks = -1). */
export interface DurableSender {
  send(record: OutgoingRecord): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
}

const TOPIC_READY_TIMEOUT_MS = 30_000;

/**
 * Creates the topics that do not exist yet (existing ones are left exactly as they are) and waits
 * until every partition has a leader. Right after creation a KRaft broker may still answer
 * UNKNOWN_TOPIC_OR_PARTITION, which kafkajs's own `waitForLeaders` does not retry, so this polls.
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: false });
    const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
    for (;;) {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
        if (topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline)
        throw new Error(`topics ${specs.map((s) => s.topic).join(', ')} have no leaders`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}
