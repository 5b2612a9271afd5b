import type { Kafka } from 'kafkajs';
import type { Logger } from '../../ops/logger.ts';
import { partitionForKey } from './key-partitioner.ts';
import { fetchPartitionBounds } from './partition-bounds.ts';
import type { StoppedEarly } from './read-budget.ts';
import { type RangeRecord, readRange } from './topic-range-reader.ts';

export interface KeyTailOptions {
  kafka: Kafka;
  topic: string;
  key: string;
  /** How many of the partition's newest records are searched: older ones are not read. */
  window: number;
  groupPrefix: string;
  log: Logger;
  /** Time the search may take (ms); unbounded when absent. */
  timeoutMs?: number;
}

export interface KeyTail {
  /** The key's records found, oldest first. */
  records: RangeRecord[];
  /**
   * Set when the search did not cover the whole partition: `record limit` when older records lie
   * before the window, `time limit` when the time ran out first; `read` is how many were searched.
   */
  stoppedEarly?: StoppedEarly;
}

/**
 * The records with `key` among the last `window` records of the key's partition, oldest first.
 * Bounded so a search costs the same on a topic of any age; older history is in the database.
 */
export async function readKeyTail(options: KeyTailOptions): Promise<KeyTail> {
  const { kafka, topic, key } = options;
  const bounds = await fetchPartitionBounds(kafka, topic, {});
  const partition = partitionForKey(key, bounds.length);
  const at = bounds.find((b) => b.partition === partition);
  if (!at || at.high <= at.low) return { records: [] };
  const windowStart = at.high - BigInt(options.window);
  const start = windowStart > at.low ? windowStart : at.low;
  const records: RangeRecord[] = [];
  const wanted = Buffer.from(key, 'utf8');
  const result = await readRange({
    kafka,
    topic,
    ranges: [{ partition, start, end: at.high }],
    groupPrefix: options.groupPrefix,
    log: options.log,
    limits: { timeoutMs: options.timeoutMs },
    onRecord: async (record) => {
      if (record.message.key?.equals(wanted)) records.push(record);
    },
  });
  const stoppedEarly =
    result.stoppedEarly ??
    (start > at.low ? { reason: 'record limit' as const, read: result.read } : undefined);
  return stoppedEarly ? { records, stoppedEarly } : { records };
}
