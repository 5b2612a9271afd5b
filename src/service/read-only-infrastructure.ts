import type { Config } from '../config/config.ts';
import { createLogger, type Logger } from '../ops/logger.ts';
import { verifyKafkaAccess } from '../platform/kafka/kafka-access.ts';
import { createKafka } from '../platform/kafka/kafka-client.ts';
import type { Messaging } from '../platform/messaging.ts';
import { AvroCodec } from '../platform/registry/avro-codec.ts';
import { loadContracts } from '../platform/registry/contracts.ts';

/** Reading and decoding topics, and closing the registry client after: the read-only commands' infrastructure. */
export interface ReadOnlyInfrastructure extends Messaging {
  close(): Promise<void>;
}

/**
 * The clients every command shares, built once here for the full and the read-only infrastructure
 * alike. Nothing connects yet: kafkajs clients connect when used, the registry client per request.
 */
export function messagingClients(
  config: Config,
  log: Logger,
): Pick<ReadOnlyInfrastructure, 'codec' | 'contracts' | 'kafka'> {
  return {
    codec: new AvroCodec(config.schemaRegistry),
    contracts: loadContracts(),
    kafka: createKafka(config.kafka, log),
  };
}

/**
 * Opens nothing that could change the world or depend on PostgreSQL: no database connection (it
 * may be down), no migration, no schema registration, no topic creation (kafkajs admin clients and
 * the throwaway readers never auto-create topics). Kafka clients connect per read and disconnect
 * after; only the codec holds something to close.
 */
export async function openReadOnlyInfrastructure(
  config: Config,
  logger?: Logger,
): Promise<ReadOnlyInfrastructure> {
  const log = logger ?? createLogger(config.log);
  // As at start: a refused certificate or login is named at once (exit 78), not retried for minutes.
  await verifyKafkaAccess(config.kafka, log);
  const clients = messagingClients(config, log);
  return { config, log, ...clients, close: () => clients.codec.close() };
}
