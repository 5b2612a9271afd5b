import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { isRebalanceSignal } from '../adapters/kafka/rebalance-signal.ts';
import { type AttemptBudget, recordId } from '../core/attempt-budget.ts';
import { codeOf, failureClassOf, isBudgeted, SyncError } from '../core/errors.ts';
import { decide, exhaustedBudget } from '../core/failure-policy.ts';
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
  /** Aborted (reason: a PARTITION_REVOKED SyncError) once the partition may have been revoked. */
  signal: AbortSignal;
}

export interface RecordHandler {
  /** Handles one record; resolves once its outcome is durable, throws a classified error otherwise. */
  handle(record: RecordContext): Promise<void>;
  /** Makes a permanent failure durable (dead-letter topic); resolves once the broker acknowledged. */
  deadLetter(record: RecordContext, error: unknown): Promise<void>;
}

export interface Halt {
  action: 'pause-partition' | 'pause-consumer';
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
  /** Failed attempts per record, across pauses; budgeted errors are dead-lettered at `maxAttempts`. */
  budget: AttemptBudget;
  maxAttempts: number;
  /** Called after the batch settled when a transient or systemic failure stopped it. */
  onHalt(halt: Halt, payload: EachBatchPayload): void;
}

/**
 * kafkajs `eachBatch` handler. Records of one partition run concurrently across keys and in order
 * within a key (KeyLanes); an offset is resolved only once it and everything before it are durable,
 * so a crash can repeat work but never skip it. kafkajs heartbeats only between batches
 * (tulios/kafkajs#1396), so a timer heartbeats while slow finance calls are in flight. When that
 * heartbeat says a rebalance began, the partition may be about to move to another member: the
 * batch's signal aborts, nothing more starts, and in-flight pushes are neither announced nor resolved,
 * so the partition's next owner repeats them instead of two members announcing the same event.
 */
export function createBatchProcessor(
  options: BatchProcessorOptions,
): (payload: EachBatchPayload) => Promise<void> {
  return async (payload) => {
    const { batch } = payload;
    const tracker = new OffsetTracker();
    let halt: Halt | undefined;
    const revoked = new AbortController();
    const shouldStart = () => !halt && !revoked.signal.aborted && payload.isRunning() && !payload.isStale();

    const heartbeat = setInterval(() => {
      payload.heartbeat().catch((error: unknown) => {
        // A timed-out heartbeat is tried again on the next tick; only the coordinator's word that a
        // rebalance began (or that it forgot this member) puts the partition in question.
        if (revoked.signal.aborted || !isRebalanceSignal(error)) return;
        options.log.info(
          { topic: batch.topic, partition: batch.partition, err: error },
          'rebalance under way: in-flight events of this partition will not be announced',
        );
        revoked.abort(
          new SyncError('PARTITION_REVOKED', `partition ${batch.partition} of ${batch.topic} may be revoked`),
        );
      });
    }, options.heartbeatIntervalMs);

    const runOne = async (message: KafkaMessage) => {
      if (!shouldStart()) return;
      const record = toRecord(batch.topic, batch.partition, message, options.log, revoked.signal);
      const outcome = await attempt(options, record);
      if (outcome === 'abandoned') return;
      if (outcome !== 'done') {
        halt ??= { ...outcome, record };
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

/** Runs the handler and applies the failure policy; a dead-lettered record counts as done. */
async function attempt(
  options: BatchProcessorOptions,
  record: RecordContext,
): Promise<'done' | 'abandoned' | Omit<Halt, 'record'>> {
  const gauge = options.metrics.inFlight.labels({ consumer: options.consumer });
  const id = recordId(record.topic, record.partition, record.offset);
  gauge.inc();
  try {
    await options.handler.handle(record);
    options.budget.settle(id);
    return 'done';
  } catch (error) {
    const attempts = options.budget.fail(id);
    const action = decide(error, { attempts, maxAttempts: options.maxAttempts });
    if (action === 'abandon') return abandon(options, record, error);
    countFailure(options, error);
    if (action !== 'dead-letter') return { action, error };
    const reason = isBudgeted(error) ? exhaustedBudget(error, attempts) : error;
    if (!(await deadLetter(options, record, reason))) return toPause(reason);
    options.budget.settle(id);
    return 'done';
  } finally {
    gauge.dec();
  }
}

function abandon(options: BatchProcessorOptions, record: RecordContext, error: unknown): 'abandoned' {
  options.metrics.events.inc({ consumer: options.consumer, outcome: 'abandoned' });
  record.log.info({ err: error }, 'not announced: partition may be revoked, its next owner repeats it');
  return 'abandoned';
}

/** True once the dead letter is durable. */
async function deadLetter(options: BatchProcessorOptions, record: RecordContext, reason: unknown) {
  try {
    await options.handler.deadLetter(record, reason);
    options.metrics.events.inc({ consumer: options.consumer, outcome: 'dead_lettered' });
    record.log.warn({ err: reason, code: codeOf(reason) }, 'event dead-lettered');
    return true;
  } catch (dlqError) {
    record.log.warn({ err: dlqError }, 'dead letter not durable: will try the record again');
    return false;
  }
}

/** Not durable in the DLQ yet: keep the offset and try the whole record again later. */
function toPause(error: unknown): Omit<Halt, 'record'> {
  return { action: 'pause-partition', error };
}

function countFailure(options: BatchProcessorOptions, error: unknown): void {
  options.metrics.failures.inc({
    consumer: options.consumer,
    failure_class: failureClassOf(error),
    code: codeOf(error),
  });
}

function keyOf(message: KafkaMessage): string {
  return message.key ? message.key.toString('utf8') : `\u0000offset:${message.offset}`;
}

function toRecord(
  topic: string,
  partition: number,
  message: KafkaMessage,
  log: Logger,
  signal: AbortSignal,
): RecordContext {
  const key = message.key ? message.key.toString('utf8') : '';
  return {
    topic,
    partition,
    offset: message.offset,
    key,
    message,
    log: log.child({ topic, partition, offset: message.offset, invoice_key: key }),
    signal,
  };
}
