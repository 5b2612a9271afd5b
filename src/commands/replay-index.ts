import type { Kafka } from 'kafkajs';
import { fetchPartitionBounds } from '../adapters/kafka/partition-bounds.ts';
import { readRange } from '../adapters/kafka/topic-range-reader.ts';
import { NewestByKey } from '../core/newest-by-key.ts';
import type { PartitionPosition } from '../core/range-progress.ts';

/**
 * Reads each partition from the replay's start to its current end (keys only matter) and notes the
 * newest offset of every key met in the range, so the replay can tell an old version from the
 * newest one, wherever the newest lies. One pass before pushing; memory is one key per invoice of
 * the range.
 */
export async function indexNewestByKey(
  kafka: Kafka,
  topic: string,
  positions: PartitionPosition[],
  sessionTimeoutMs: number,
): Promise<NewestByKey> {
  const index = new NewestByKey();
  const bounds = new Map((await fetchPartitionBounds(kafka, topic, {})).map((b) => [b.partition, b.high]));
  const ends = new Map(positions.map((p) => [p.partition, p.end]));
  const ranges = positions
    .filter((p) => p.next < p.end)
    .map((p) => ({ partition: p.partition, start: p.next, end: bounds.get(p.partition) ?? p.end }));
  await readRange({
    kafka,
    topic,
    ranges,
    groupPrefix: 'invoice-finance-sync-replay-index',
    sessionTimeoutMs,
    onRecord: async ({ partition, offset, message }) => {
      const at = BigInt(offset);
      index.see(message.key?.toString('utf8') ?? null, at, at < (ends.get(partition) ?? 0n));
    },
  });
  return index;
}
