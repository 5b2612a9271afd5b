/**
 * Which offsets of a topic a one-shot read covers. Pure: the broker's answers come in as numbers.
 *
 * A range is half-open, `[start, end)`: `start` is the first offset read, `end` the first offset NOT
 * read. Operators speak inclusively (`--to-offset 41` reads offset 41), so the conversion to `end`
 * happens here, once. Offsets are bigint: Kafka offsets are int64 and kafkajs hands them over as
 * strings.
 */
export interface PartitionRange {
  partition: number;
  start: bigint;
  end: bigint;
}

/** What one partition holds when the read starts, and where the chosen times fall in it. */
export interface PartitionBounds {
  partition: number;
  /** Log start offset: the oldest offset still on the broker. */
  low: bigint;
  /** High watermark at the start of the read: records produced later are not read. */
  high: bigint;
  /** First offset whose timestamp is at or after `--from-time` (high when there is none). */
  fromTimeOffset?: bigint;
  /** First offset whose timestamp is after `--to-time` (high when there is none). */
  afterToTimeOffset?: bigint;
}

export interface RangeSelection {
  /** Partitions to read; all when absent or empty. */
  partitions?: number[];
  fromOffset?: bigint;
  /** Inclusive. */
  toOffset?: bigint;
  fromTime?: Date;
  /** Inclusive. */
  toTime?: Date;
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * Intersects everything the operator asked for (partitions, offsets, times) with what the
 * partition holds now. A range never reaches past the high watermark at start, so a read of a
 * topic that is still being written to always ends.
 */
export function partitionRanges(bounds: PartitionBounds[], selection: RangeSelection): PartitionRange[] {
  const wanted = selection.partitions?.length ? new Set(selection.partitions) : undefined;
  return bounds
    .filter((b) => wanted === undefined || wanted.has(b.partition))
    .sort((a, b) => a.partition - b.partition)
    .map((b) => {
      let start = b.low;
      let end = b.high;
      if (selection.fromOffset !== undefined) start = max(start, selection.fromOffset);
      if (selection.toOffset !== undefined) end = min(end, selection.toOffset + 1n);
      if (b.fromTimeOffset !== undefined) start = max(start, b.fromTimeOffset);
      if (b.afterToTimeOffset !== undefined) end = min(end, b.afterToTimeOffset);
      return { partition: b.partition, start, end: max(start, end) };
    });
}

/**
 * Only the last `count` offsets of each range: what a "newest n" listing can need. The newest n
 * overall are among the newest n of each partition, so nothing older has to be fetched at all.
 */
export function newestOffsets(ranges: PartitionRange[], count: number): PartitionRange[] {
  const back = BigInt(Math.max(0, count));
  return ranges.map((range) => ({ ...range, start: max(range.start, range.end - back) }));
}

/** Partitions asked for that the topic does not have: reading them would wait forever. */
export function unknownPartitions(bounds: PartitionBounds[], selection: RangeSelection): number[] {
  const known = new Set(bounds.map((b) => b.partition));
  return (selection.partitions ?? []).filter((p) => !known.has(p));
}

export function isEmptyRange(range: PartitionRange): boolean {
  return range.start >= range.end;
}
