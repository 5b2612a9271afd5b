import type { KafkaMessage } from 'kafkajs';
import { codeOf, failureClassOf, isBudgeted } from '../failures/errors.ts';
import { decide, exhaustedBudget } from '../failures/failure-policy.ts';
import type { Logger } from '../ops/logger.ts';
import type { Metrics } from '../ops/metrics.ts';
import { type AttemptBudget, recordId } from './attempt-budget.ts';

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

export interface RecordHandler<T = unknown> {
  /** Handles one record; resolves once its outcome is durable, throws a classified error otherwise. */
  handle(record: RecordContext): Promise<T>;
  /** Makes a permanent failure durable (dead-letter topic); resolves once the broker acknowledged. */
  deadLetter(record: RecordContext, error: unknown): Promise<void>;
}

/** A transient or systemic failure that stops a partition (or the whole consumer) for a while. */
export interface Halt {
  action: 'pause-partition' | 'pause-consumer';
  error: unknown;
  record: RecordContext;
}

export interface AttemptOptions<T = unknown> {
  consumer: string;
  handler: RecordHandler<T>;
  metrics: Metrics;
  /** Failed attempts per record, across pauses; budgeted errors are dead-lettered at `maxAttempts`. */
  budget: AttemptBudget;
  maxAttempts: number;
}

/** How one attempt at a record ended, as the failure policy decided it. */
export type AttemptResult<T> =
  | { outcome: 'handled'; value: T }
  /** Durable in the dead-letter topic; `reason` is what went there (the budget's UNEXPECTED once spent). */
  | { outcome: 'dead-lettered'; reason: unknown }
  | { outcome: 'abandoned' }
  | { outcome: 'halted'; action: Halt['action']; error: unknown };

/**
 * One attempt at a record, the consumers' and `replay`'s alike: runs the handler and applies the
 * failure policy (`decide`, with the record's attempt budget); a dead-lettered record is done.
 */
export async function attemptRecord<T>(
  options: AttemptOptions<T>,
  record: RecordContext,
): Promise<AttemptResult<T>> {
  const gauge = options.metrics.inFlight.labels({ consumer: options.consumer });
  const id = recordId(record.topic, record.partition, record.offset);
  gauge.inc();
  try {
    const value = await options.handler.handle(record);
    options.budget.settle(id);
    return { outcome: 'handled', value };
  } catch (error) {
    const attempts = options.budget.fail(id);
    const action = decide(error, { attempts, maxAttempts: options.maxAttempts });
    if (action === 'abandon') return abandon(options, record, error);
    countFailure(options, error);
    if (action !== 'dead-letter') return { outcome: 'halted', action, error };
    const reason = isBudgeted(error) ? exhaustedBudget(error, attempts) : error;
    if (!(await deadLetter(options, record, reason))) return toPause(reason);
    options.budget.settle(id);
    return { outcome: 'dead-lettered', reason };
  } finally {
    gauge.dec();
  }
}

/** `attemptRecord` as the consume loop sees it: done (handled or dead-lettered), abandoned, or a halt. */
export async function attempt(
  options: AttemptOptions,
  record: RecordContext,
): Promise<'done' | 'abandoned' | Omit<Halt, 'record'>> {
  const result = await attemptRecord(options, record);
  if (result.outcome === 'halted') return { action: result.action, error: result.error };
  return result.outcome === 'abandoned' ? 'abandoned' : 'done';
}

function abandon<T>(options: AttemptOptions<T>, record: RecordContext, error: unknown) {
  options.metrics.events.inc({ consumer: options.consumer, outcome: 'abandoned' });
  record.log.info({ err: error }, 'not announced: partition may be revoked, its next owner repeats it');
  return { outcome: 'abandoned' } as const;
}

/** True once the dead letter is durable. */
async function deadLetter<T>(options: AttemptOptions<T>, record: RecordContext, reason: unknown) {
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
function toPause(error: unknown) {
  return { outcome: 'halted', action: 'pause-partition', error } as const;
}

function countFailure<T>(options: AttemptOptions<T>, error: unknown): void {
  options.metrics.failures.inc({
    consumer: options.consumer,
    failure_class: failureClassOf(error),
    code: codeOf(error),
  });
}

/** The lane of a record: its key, or its own lane when it has none. */
export function laneOf(message: KafkaMessage): string {
  return message.key ? message.key.toString('utf8') : `\u0000offset:${message.offset}`;
}

export function toRecord(
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
