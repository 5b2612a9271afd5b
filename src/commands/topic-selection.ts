import type { Kafka } from 'kafkajs';
import {
  type PartitionRange,
  partitionRanges,
  type RangeSelection,
  unknownPartitions,
} from '../adapters/kafka/offset-range.ts';
import { fetchPartitionBounds } from '../adapters/kafka/partition-bounds.ts';
import { UsageError } from './usage-error.ts';

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
