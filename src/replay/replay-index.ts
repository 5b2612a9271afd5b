import { fetchPartitionBounds } from '../platform/kafka/partition-bounds.ts';
import type { ReadLimits, StoppedEarly } from '../platform/kafka/read-budget.ts';
import { readGroupPrefix, readRange } from '../platform/kafka/topic-range-reader.ts';
import type { Messaging } from '../platform/messaging.ts';
import { NewestByKey } from './newest-by-key.ts';
import type { PartitionPosition } from './range-progress.ts';

export interface KeyIndex {
  index: NewestByKey;
  /** Set when limits ended the pass first: a newer version beyond what was read is not known. */
  stoppedEarly?: StoppedEarly;
}

/**
 * Reads each partition from the replay's start to its current end (keys only matter) and notes the
 * newest offset of every key met in the range, so the replay can tell an old version from the
 * newest one, wherever the newest lies. One pass before pushing; memory is one key per invoice of
 * the range. A replay reads it all; a preview passes `limits`.
 */
export async function indexNewestByKey(
  infra: Messaging,
  topic: string,
  positions: PartitionPosition[],
  limits?: ReadLimits,
): Promise<KeyIndex> {
  const index = new NewestByKey();
  const { kafka } = infra;
  const bounds = new Map((await fetchPartitionBounds(kafka, topic, {})).map((b) => [b.partition, b.high]));
  const ends = new Map(positions.map((p) => [p.partition, p.end]));
  const ranges = positions
    .filter((p) => p.next < p.end)
    .map((p) => ({ partition: p.partition, start: p.next, end: bounds.get(p.partition) ?? p.end }));
  const result = await readRange({
    kafka,
    topic,
    ranges,
    groupPrefix: readGroupPrefix(infra.config, 'replay-index'),
    log: infra.log,
    limits,
    sessionTimeoutMs: infra.config.kafka.sessionTimeoutMs,
    onRecord: async ({ partition, offset, message }) => {
      const at = BigInt(offset);
      index.see(message.key?.toString('utf8') ?? null, at, at < (ends.get(partition) ?? 0n));
    },
  });
  return result.stoppedEarly ? { index, stoppedEarly: result.stoppedEarly } : { index };
}
