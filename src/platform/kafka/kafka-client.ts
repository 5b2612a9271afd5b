import {
  type Admin,
  type AdminConfig,
  type Consumer,
  type ConsumerConfig,
  type IHeaders,
  Kafka,
  type KafkaConfig,
  logLevel,
  type Producer,
  type ProducerConfig,
  type RetryOptions,
  type SASLOptions,
} from 'kafkajs';
import type { Config } from '../../config/config.ts';
import type { KafkaSasl } from '../../config/connection-config.ts';
import { SyncError } from '../../failures/errors.ts';
import type { Logger } from '../../ops/logger.ts';
import { kafkaLogLevel } from './kafka-log-level.ts';
import { KafkaStartup } from './kafka-startup.ts';
import './request-queue-patch.ts';
import './seek-generation-patch.ts';

export interface KafkaClientOptions {
  /** kafkajs retries of every request (default: 8, from 300 ms). */
  retry?: RetryOptions;
  /** How long a request may wait for its response (kafkajs default: 30 s). */
  requestTimeoutMs?: number;
  /** Name of the client in its log lines (`component`). */
  component?: string;
}

/**
 * A kafkajs client whose own log lines go through pino, as structured JSON like the rest, and that
 * connects as configured (TLS, SASL): every consumer, producer, admin client and probe is made here.
 */
export function createKafka(config: Config['kafka'], log: Logger, options: KafkaClientOptions = {}): Kafka {
  const kafkaLog = log.child({ component: options.component ?? 'kafkajs' });
  return new StartupAwareKafka(
    {
      clientId: config.clientId,
      brokers: config.brokers,
      ...kafkaSecurity(config),
      logLevel: logLevel.WARN,
      retry: options.retry ?? { initialRetryTime: 300, retries: 8, maxRetryTime: 5_000 }, // ≤ 5 s between tries
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeout: options.requestTimeoutMs }),
    },
    kafkaLog,
  );
}

/**
 * A kafkajs client that knows whether it is still starting, so that what a healthy cluster answers
 * while consumers join and topics appear is logged at debug instead of warn (kafka-log-level.ts).
 */
class StartupAwareKafka extends Kafka {
  readonly startup: KafkaStartup;

  constructor(config: KafkaConfig, kafkaLog: Logger) {
    const startup = new KafkaStartup();
    super({
      ...config,
      logCreator:
        () =>
        ({ level, log: entry }) => {
          const { message, timestamp: _timestamp, logger: _logger, ...rest } = entry;
          kafkaLog[kafkaLogLevel(level, entry, startup)](rest, message);
        },
    });
    this.startup = startup;
  }

  override consumer(config: ConsumerConfig): Consumer {
    return this.startup.trackConsumer(super.consumer(config));
  }

  override producer(config?: ProducerConfig): Producer {
    return this.startup.trackConnect(super.producer(config));
  }

  override admin(config?: AdminConfig): Admin {
    return this.startup.trackConnect(super.admin(config));
  }
}

/** Runs the topic set-up as part of the client's start-up, when the client is one made here. */
function duringStartup<T>(kafka: Kafka, work: () => Promise<T>): Promise<T> {
  return kafka instanceof StartupAwareKafka ? kafka.startup.during(work) : work();
}

/** TLS (with our CA and client certificate, if given) and the SASL login, as kafkajs takes them. */
export function kafkaSecurity(
  config: Pick<Config['kafka'], 'tls' | 'sasl'>,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { tls, sasl } = config;
  const security: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (tls) {
    // An empty object still means TLS, trusting the system CAs.
    security.ssl = {
      ...(tls.ca === undefined ? {} : { ca: [tls.ca] }),
      ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }),
    };
  }
  if (sasl) security.sasl = saslOptions(sasl);
  return security;
}

// kafkajs types each mechanism's options apart, so the union is spelled out.
function saslOptions({ mechanism, username, password }: KafkaSasl): SASLOptions {
  switch (mechanism) {
    case 'plain':
      return { mechanism, username, password };
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'scram-sha-512':
      return { mechanism, username, password };
  }
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
export function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<void> {
  return duringStartup(kafka, () => createMissingTopics(kafka, specs));
}

async function createMissingTopics(kafka: Kafka, specs: TopicSpec[]): Promise<void> {
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
      if (Date.now() > deadline) throw topicsWithoutLeaders(specs);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

function topicsWithoutLeaders(specs: readonly TopicSpec[]): SyncError {
  const topics = specs.map((s) => s.topic);
  return new SyncError(
    'KAFKA_TOPIC_UNAVAILABLE',
    `topics ${topics.join(', ')} still have partitions without a leader after ${TOPIC_READY_TIMEOUT_MS / 1000} s; check that the brokers of KAFKA_BROKERS are up and at least KAFKA_TOPIC_REPLICATION of them are in the cluster`,
    { details: { topics, timeout_ms: TOPIC_READY_TIMEOUT_MS } },
  );
}
