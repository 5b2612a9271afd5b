import type { Kafka } from 'kafkajs';
import { UsageError } from '../failures/usage-error.ts';
import {
  type PartitionRange,
  partitionRanges,
  type RangeSelection,
  unknownPartitions,
} from '../platform/kafka/offset-range.ts';
import { fetchPartitionBounds } from '../platform/kafka/partition-bounds.ts';

/** Turns what the operator asked for into offset ranges of `topic`, as it stands now. */
export async function selectRanges(
  kafka: Kafka,
  topic: string,
  selection: RangeSelection,
): Promise<PartitionRange[]> {
  const bounds = await fetchPartitionBounds(kafka, topic, selection);
  const unknown = unknownPartitions(bounds, selection);
  if (unknown.length > 0) {
    throw new UsageError(
      `${topic} has no partition ${unknown.join(', ')} (it has ${bounds.length}: 0..${bounds.length - 1})`,
    );
  }
  return partitionRanges(bounds, selection);
}
