import type { Kafka } from 'kafkajs';
import type { Config } from '../config/config.ts';
import type { Logger } from '../ops/logger.ts';
import type { AvroCodec } from './registry/avro-codec.ts';
import type { Contracts } from './registry/contracts.ts';

/**
 * What reading and decoding topics takes: Kafka to read, the registry to decode. The read-only
 * commands (`dlq list`, `dlq show`, `replay --dry-run`) get just this; the full infrastructure of the
 * service (src/service/infrastructure.ts) has every field too, so it serves wherever this is asked for.
 */
export interface Messaging {
  config: Config;
  log: Logger;
  /** Decodes only: each record names its writer schema id, so nothing is registered or looked up. */
  codec: AvroCodec;
  contracts: Contracts;
  kafka: Kafka;
}
