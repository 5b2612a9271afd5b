import type { Kafka } from 'kafkajs';
import type { ErrorCode } from '../failures/errors.ts';
import type { Logger } from '../ops/logger.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { ParkingOptions, RecordHandler } from './batch-processor.ts';
import type { KeyLanes } from './key-lanes.ts';

/** What one consumer group member is given: its group and topic, its handler and lanes, and its bounds. */
export interface ConsumerRuntimeOptions {
  name: string;
  groupId: string;
  topic: string;
  kafka: Kafka;
  handler: RecordHandler;
  lanes: KeyLanes;
  /** Records (and bytes of their keys and values) taken, not finished, before the next fetch waits. */
  maxOpenRecords: number;
  maxOpenBytes?: number;
  /** kafkajs fetch bounds: bytes of one fetch response, and of one partition in it. */
  fetch: { maxBytes: number; maxBytesPerPartition: number };
  partitionsConcurrently: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  /** Attempt budget of an event failing with an unclassified error. */
  maxAttempts: number;
  pauseOnTransientMs: number;
  systemicBackoffMs: number;
  /**
   * Checks of the dependencies a systemic failure can name, by its code (e.g. DATABASE_UNAVAILABLE:
   * a PostgreSQL ping). While the consumer waits out its backoff, the failed one is checked every
   * second, and the wait ends as soon as it answers: recovery does not wait out a long backoff step.
   */
  recoveryChecks?: Partial<Record<ErrorCode, () => Promise<void>>>;
  fromBeginning?: boolean;
  /** Park the records of a group holding its share of the window, or held, in Kafka (fair scheduling). */
  parking?: Omit<ParkingOptions, 'seek'>;
  log: Logger;
  metrics: Metrics;
}
