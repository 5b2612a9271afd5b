import type { Kafka, Producer } from 'kafkajs';
import type { Config } from '../config/config.ts';
import { createLogger, type Logger } from '../ops/logger.ts';
import { createMetrics, type Metrics } from '../ops/metrics.ts';
import { type Database, openDatabase } from '../platform/database/database.ts';
import { CoalescingSender } from '../platform/kafka/coalescing-sender.ts';
import { verifyKafkaAccess } from '../platform/kafka/kafka-access.ts';
import { ensureTopics } from '../platform/kafka/kafka-client.ts';
import { KafkaProbe } from '../platform/kafka/kafka-probe.ts';
import { keyPartitioner } from '../platform/kafka/key-partitioner.ts';
import type { AvroCodec } from '../platform/registry/avro-codec.ts';
import {
  type Contracts,
  lookupSchemaIds,
  registerContracts,
  type SchemaIds,
} from '../platform/registry/contracts.ts';
import { RecentPushes } from '../push/recent-pushes.ts';
import { messagingClients } from './read-only-infrastructure.ts';

/**
 * The platform parts every command and the service share, opened once: logger, metrics, the registry
 * codec, Kafka and its producer, the database; and the finance client and pusher built on them.
 */
/** The shared parts every command needs: logger, metrics, codec, Kafka, producer, database. */
export interface Infrastructure {
  config: Config;
  log: Logger;
  metrics: Metrics;
  codec: AvroCodec;
  contracts: Contracts;
  schemaIds: SchemaIds;
  kafka: Kafka;
  producer: Producer;
  /** Readiness check of the brokers (bounded, single-flight). */
  kafkaProbe: KafkaProbe;
  /** Durable sends of the consumers, sharing produce requests (see CoalescingSender). */
  sender: CoalescingSender;
  database: Database;
  /** The last push outcomes (replays' too), for the operations console. */
  recentPushes: RecentPushes;
  close(): Promise<void>;
}

export async function openInfrastructure(config: Config, logger?: Logger): Promise<Infrastructure> {
  const log = logger ?? createLogger(config.log);
  const metrics = createMetrics();
  const database = await openDatabase(config.database.url, {
    migrate: config.database.migrateOnStart,
    createDatabase: true,
    tls: config.database.tls,
  });
  try {
    return await connectMessaging(config, log, metrics, database);
  } catch (error) {
    // Nothing half-open is left behind when the registry or Kafka is not there at start.
    await database.close();
    throw error;
  }
}

async function connectMessaging(
  config: Config,
  log: Logger,
  metrics: Metrics,
  database: Database,
): Promise<Infrastructure> {
  const { codec, contracts, kafka } = messagingClients(config, log);
  const schemaIds = config.registerSchemasOnStart
    ? await registerContracts(codec, contracts, config.topics, log)
    : await lookupSchemaIds(codec, config.topics, log);
  // A refused certificate or login fails here at once; the clients below would retry it for minutes.
  await verifyKafkaAccess(config.kafka, log);
  if (config.kafka.createTopics.enabled) {
    const { partitions, replication } = config.kafka.createTopics;
    await ensureTopics(
      kafka,
      Object.values(config.topics).map((topic) => ({
        topic,
        numPartitions: partitions,
        replicationFactor: replication,
      })),
    );
  }
  const producer = kafka.producer({
    allowAutoTopicCreation: true,
    createPartitioner: keyPartitioner,
  });
  await producer.connect();
  const kafkaProbe = await KafkaProbe.connect(config.kafka, log).catch(async (error: unknown) => {
    await producer.disconnect();
    throw error;
  });
  return {
    config,
    log,
    metrics,
    codec,
    contracts,
    schemaIds,
    kafka,
    producer,
    kafkaProbe,
    sender: new CoalescingSender(producer),
    database,
    recentPushes: new RecentPushes(config.console.recentPushes),
    close: async () => {
      await producer.disconnect();
      await kafkaProbe.close();
      await codec.close();
      await database.close();
    },
  };
}
