import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { isSyncError } from '../core/errors.ts';
import { actionFor, type FailureAction } from '../core/failure-policy.ts';
import type { KeyLanes } from '../core/key-lanes.ts';
import { OffsetTracker } from '../core/offset-tracker.ts';
import type { Logger } from '../ops/logger.ts';
import type { Metrics } from '../ops/metrics.ts';

/** What a handler sees of one record: its coordinates and a logger already bound to them. */
export interface RecordContext {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  message: KafkaMessage;
  log: Logger;
}

export interface RecordHandler {
  /** Handles one record; resolves once its outcome is durable, throws a classified error otherwise. */
  handle(record: RecordContext): Promise<void>;
  /** Makes a permanent failure durable (dead-letter topic); resolves once the broker acknowledged. */
  deadLetter(record: RecordContext, error: unknown): Promise<void>;
}

export interface Halt {
  action: Exclude<FailureAction, 'dead-letter'>;
  error: unknown;
  record: RecordContext;
}

export interface BatchProcessorOptions {
  consumer: string;
  /** The consumer group, for metrics labelled like the paused-partitions gauge. */
  groupId: string;
  handler: RecordHandler;
  lanes: KeyLanes;
  log: Logger;
  metrics: Metrics;
  heartbeatIntervalMs: number;
  /** Called after the batch settled when a transient or systemic failure stopped it. */
  onHalt(halt: Halt, payload: EachBatchPayload): void;
}

/**
 * kafkajs `eachBatch` handler. Records of one partition run concurrently across keys and in order
 * within a key (KeyLanes); an offset is resolved only once it and everything before it are durable,
 * so a crash can repeat work but never skip it. kafkajs heartbeats only between batches
 * (tulios/kafkajs#1396), so a timer heartbeats while slow finance calls are in flight.
 */
export function createBatchProcessor(
  options: BatchProcessorOptions,
): (payload: EachBatchPayload) => Promise<void> {
  return async (payload) => {
    const { batch } = payload;
    const tracker = new OffsetTracker();
    let halt: Halt | undefined;
    let rebalancing = false;
    const shouldStart = () => !halt && !rebalancing && payload.isRunning() && !payload.isStale();

    const heartbeat = setInterval(() => {
      payload.heartbeat().catch(() => {
        // A rebalance is under way: start nothing new; what is in flight finishes and is resolved.
        rebalancing = true;
      });
    }, options.heartbeatIntervalMs);

    const runOne = async (message: KafkaMessage) => {
      if (!shouldStart()) return;
      const record = toRecord(batch.topic, batch.partition, message, options.log);
      const failure = await attempt(options, record);
      if (failure) {
        halt ??= { ...failure, record };
        return;
      }
      const resolvable = tracker.finish(message.offset);
      if (resolvable !== undefined) payload.resolveOffset(resolvable);
    };

    try {
      const tasks = batch.messages.map((message) => {
        tracker.track(message.offset);
        return options.lanes.run(keyOf(message), () => runOne(message));
      });
      await Promise.all(tasks);
      options.metrics.consumerLag.set(
        { group: options.groupId, topic: batch.topic, partition: String(batch.partition) },
        Number(batch.offsetLag()),
      );
      await payload.commitOffsetsIfNecessary();
    } finally {
      clearInterval(heartbeat);
    }
    if (halt) options.onHalt(halt, payload);
  };
}

/** Runs the handler; a permanent failure is dead-lettered here and counts as done. */
async function attempt(
  options: BatchProcessorOptions,
  record: RecordContext,
): Promise<Omit<Halt, 'record'> | undefined> {
  const gauge = options.metrics.inFlight.labels({ consumer: options.consumer });
  gauge.inc();
  try {
    await options.handler.handle(record);
    return undefined;
  } catch (error) {
    countFailure(options, error);
    const action = actionFor(error);
    if (action !== 'dead-letter') return { action, error };
    try {
      await options.handler.deadLetter(record, error);
      options.metrics.events.inc({ consumer: options.consumer, outcome: 'dead_lettered' });
      record.log.warn({ err: error }, 'event dead-lettered');
      return undefined;
    } catch (dlqError) {
      // Not durable in the DLQ yet: keep the offset and try the whole record again later.
      return { action: 'pause-partition', error: dlqError };
    }
  } finally {
    gauge.dec();
  }
}

function countFailure(options: BatchProcessorOptions, error: unknown): void {
  options.metrics.failures.inc({
    consumer: options.consumer,
    failure_class: isSyncError(error) ? error.failureClass : 'transient',
    code: isSyncError(error) ? error.code : 'UNEXPECTED',
  });
}

function keyOf(message: KafkaMessage): string {
  return message.key ? message.key.toString('utf8') : `\u0000offset:${message.offset}`;
}

function toRecord(topic: string, partition: number, message: KafkaMessage, log: Logger): RecordContext {
  const key = message.key ? message.key.toString('utf8') : '';
  return {
    topic,
    partition,
    offset: message.offset,
    key,
    message,
    log: log.child({ topic, partition, offset: message.offset, invoice_key: key }),
  };
}
