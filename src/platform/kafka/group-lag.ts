import type { Admin } from 'kafkajs';

/** How far one consumer group is behind on one partition. */
export interface PartitionLag {
  partition: number;
  /** Next offset the group will read: its committed offset, or the log start when it never committed. */
  committed: bigint;
  /** High watermark: the offset the next record will get. */
  end: bigint;
  lag: bigint;
}

/** The part of the admin client a lag read uses. */
export type LagAdmin = Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>;

/**
 * The group's lag per partition of `topic`, from its committed offsets: unlike the consumer's own
 * gauge (updated after each batch), this keeps growing while the group is paused or not running.
 */
export async function fetchGroupLag(
  admin: LagAdmin,
  groupId: string,
  topic: string,
): Promise<PartitionLag[]> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const byPartition = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  return ends
    .map((o) => {
      const end = BigInt(o.high);
      const given = byPartition.get(o.partition) ?? -1n;
      // -1: never committed; the group would start at the log start (fromBeginning).
      const next = given < 0n ? BigInt(o.low) : given;
      return { partition: o.partition, committed: next, end, lag: end > next ? end - next : 0n };
    })
    .sort((a, b) => a.partition - b.partition);
}
