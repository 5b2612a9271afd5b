import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../../ops/logger.ts';
import { isEmptyRange, type PartitionRange } from './offset-range.ts';
import { ReadBudget, type ReadLimits, type StoppedEarly } from './read-budget.ts';
import { deleteThrowawayGroup } from './throwaway-group.ts';

/** One record of a range, with its coordinates. */
export interface RangeRecord {
  topic: string;
  partition: number;
  offset: string;
  message: KafkaMessage;
}

export interface ReadRangeOptions {
  kafka: Kafka;
  topic: string;
  ranges: PartitionRange[];
  /**
   * Called once per record of the ranges, one at a time, in offset order within a partition.
   * A throw stops the whole read and is rethrown by `readRange`.
   */
  onRecord(record: RangeRecord): Promise<void>;
  /** Prefix of the throwaway group id (see `readGroupPrefix`); a random uuid follows. */
  groupPrefix: string;
  /** Where a group that could not be deleted is reported. */
  log: Logger;
  /** Records and time the read may take at most; unbounded when absent (the CLI's whole ranges). */
  limits?: ReadLimits;
  sessionTimeoutMs?: number;
  /** Bytes a fetch returns per partition at most (kafkajs default 1 MiB); small values mean small batches. */
  maxBytesPerPartition?: number;
}

export interface RangeReadResult {
  /** Records handed over to `onRecord`. */
  read: number;
  /** Set when a limit ended the read before the end of its ranges. */
  stoppedEarly?: StoppedEarly;
}

interface Position {
  /** Next offset to hand over: anything below was handed over already (or is before the range). */
  next: bigint;
  end: bigint;
}

/** The group prefix of one kind of read, e.g. `invoice-finance-sync-replay` (KAFKA_READ_GROUP_PREFIX). */
export function readGroupPrefix(config: { kafka: { readGroupPrefix: string } }, kind: string): string {
  return `${config.kafka.readGroupPrefix}-${kind}`;
}

/**
 * Reads bounded offset ranges of a topic and then returns, never committing anything.
 *
 * kafkajs has no group-less consumer (tulios/kafkajs#373), so this joins a throwaway group of its
 * own (a random id) and deletes it when the read ends, however it ends: the service's groups and
 * their committed offsets are never touched, and nothing is left on the broker. Without commits, a
 * rejoin would start over from the beginning, so every (re)join seeks each partition to its own
 * position, and offsets already handed over are skipped. With `limits`, the read stops at the
 * record limit or the time limit (joining included) and says which in `stoppedEarly`.
 */
export async function readRange(options: ReadRangeOptions): Promise<RangeReadResult> {
  const { topic } = options;
  const pending = new Map<number, Position>(
    options.ranges.filter((r) => !isEmptyRange(r)).map((r) => [r.partition, { next: r.start, end: r.end }]),
  );
  if (pending.size === 0) return { read: 0 };
  const limits = options.limits ?? {};
  // No time left (a preview's second pass after a slow first one): not worth a group.
  if (limits.timeoutMs !== undefined && limits.timeoutMs <= 0) {
    return { read: 0, stoppedEarly: { reason: 'time limit', read: 0 } };
  }
  const groupId = `${options.groupPrefix}-${randomUUID()}`;
  const consumer = options.kafka.consumer({
    groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000, // kafkajs default
    allowAutoTopicCreation: false,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576, // 1 MiB, kafkajs default
    // About a minute of retries (300 ms doubling, 30 s at most each): a broker that has just started
    // answers COORDINATOR_LOAD_IN_PROGRESS while it loads its offsets topic, for longer than the default 5.
    retry: { retries: 8, restartOnFailure: async () => false },
  });
  const finished = Promise.withResolvers<void>();
  finished.promise.catch(() => undefined); // awaited below; this only stops an early "unhandled" report
  const budget = new ReadBudget(limits, () => finished.resolve());
  const done = (partition: number) => {
    if (!pending.delete(partition)) return;
    consumer.pause([{ topic, partitions: [partition] }]);
    if (pending.size === 0) {
      budget.end();
      finished.resolve();
    }
  };
  watchConsumer(consumer, topic, pending, done, finished.reject);

  const eachBatch = batchHandler(options, pending, budget, done, finished.reject);

  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    // `run` resolves once the group is joined. A time limit reached meanwhile ends the read right
    // after the join, not during it: kafkajs's stop() sends no LeaveGroup while a join is under way
    // (src/consumer/runner.js), and a member left behind would keep its group until its session expired.
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
    await finished.promise;
  } finally {
    budget.end();
    try {
      await consumer.disconnect();
    } finally {
      await deleteThrowawayGroup(options.kafka, groupId, options.log);
    }
  }
  return { read: budget.read, ...(budget.stoppedEarly ? { stoppedEarly: budget.stoppedEarly } : {}) };
}

/**
 * Hands each record of a fetched batch over, in order. Offsets are resolved by hand as records are
 * handed over: kafkajs fetches from the last resolved offset (nothing is ever committed), and a
 * record whose handler failed must not count as read.
 */
function batchHandler(
  options: ReadRangeOptions,
  pending: Map<number, Position>,
  budget: ReadBudget,
  done: (partition: number) => void,
  fail: (error: unknown) => void,
): (payload: EachBatchPayload) => Promise<void> {
  const { topic } = options;
  let failed = false;
  return async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
    const position = pending.get(batch.partition);
    if (!position || failed) return;
    for (const message of batch.messages) {
      if (failed || budget.stopped || !isRunning() || isStale()) return;
      const offset = BigInt(message.offset);
      if (offset >= position.end) break;
      if (offset >= position.next) {
        if (!budget.admit()) return; // a limit is reached: the read ends without this record
        try {
          await options.onRecord({ topic, partition: batch.partition, offset: message.offset, message });
        } catch (error) {
          failed = true;
          fail(error);
          return;
        }
        position.next = offset + 1n;
      } // else: before the range, or handed over already before a rejoin
      resolveOffset(message.offset);
      await heartbeat();
    }
    // Offsets may be missing (compaction): the range is through once the batch got past its end.
    if (position.next >= position.end || BigInt(batch.lastOffset()) >= position.end - 1n) {
      done(batch.partition);
    }
  };
}

function watchConsumer(
  consumer: Consumer,
  topic: string,
  pending: Map<number, Position>,
  done: (partition: number) => void,
  fail: (error: unknown) => void,
): void {
  const { GROUP_JOIN, END_BATCH_PROCESS, CRASH } = consumer.events;
  // Emitted after every join, before the first fetch: idle partitions are never fetched at all.
  consumer.on(GROUP_JOIN, ({ payload }) => {
    const assigned = payload.memberAssignment[topic] ?? [];
    const idle = assigned.filter((partition) => !pending.has(partition));
    if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
    for (const [partition, position] of pending) {
      consumer.seek({ topic, partition, offset: String(position.next) });
    }
  });
  // A batch of only transaction markers or aborted records never reaches eachBatch; kafkajs still
  // reports how far it got (tulios/kafkajs#1256), so a range ending on such a marker ends too.
  consumer.on(END_BATCH_PROCESS, ({ payload }) => {
    const position = pending.get(payload.partition);
    if (position && payload.batchSize === 0 && BigInt(payload.lastOffset) >= position.end - 1n) {
      done(payload.partition);
    }
  });
  consumer.on(CRASH, ({ payload }) => fail(payload.error));
}
