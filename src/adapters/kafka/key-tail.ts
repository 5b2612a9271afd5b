import { type Kafka, Partitioners } from 'kafkajs';
import { fetchPartitionBounds } from './partition-bounds.ts';
import { type RangeRecord, readRange } from './topic-range-reader.ts';

/**
 * The partition kafkajs's default partitioner (murmur2, like Java's) gives `key`: where the service
 * and any keyed producer put that key's records.
 */
export function partitionForKey(key: string, partitionCount: number): number {
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return Partitioners.DefaultPartitioner()({ topic: '', partitionMetadata, message: { key, value: null } });
}

/**
 * The records with `key` among the last `window` records of the key's partition, oldest first.
 * Bounded so a search costs the same on a topic of any age; older history is in the database.
 */
export async function readKeyTail(
  kafka: Kafka,
  topic: string,
  key: string,
  window: number,
): Promise<RangeRecord[]> {
  const bounds = await fetchPartitionBounds(kafka, topic, {});
  const partition = partitionForKey(key, bounds.length);
  const at = bounds.find((b) => b.partition === partition);
  if (!at || at.high <= at.low) return [];
  const start = at.high - BigInt(window) > at.low ? at.high - BigInt(window) : at.low;
  const found: RangeRecord[] = [];
  const wanted = Buffer.from(key, 'utf8');
  await readRange({
    kafka,
    topic,
    ranges: [{ partition, start, end: at.high }],
    groupPrefix: 'invoice-finance-sync-search',
    onRecord: async (record) => {
      if (record.message.key?.equals(wanted)) found.push(record);
    },
  });
  return found;
}
