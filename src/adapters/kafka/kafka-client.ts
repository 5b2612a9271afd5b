import { type IHeaders, Kafka, logLevel } from 'kafkajs';
import type { Config } from '../../config/config.ts';
import type { Logger } from '../../ops/logger.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own log lines go through pino, as structured JSON like the rest. */
export function createKafka(config: Config['kafka'], log: Logger): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 300, retries: 8 },
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, timestamp: _timestamp, logger: _logger, ...rest } = entry;
        kafkaLog[LEVELS[level] ?? 'info'](rest, message);
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
