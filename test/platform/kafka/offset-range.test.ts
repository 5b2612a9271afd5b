// Tests src/platform/kafka/offset-range.ts (kept next to the commands that use it).
import { describe, expect, it } from 'vitest';
import {
  newestOffsets,
  partitionRanges,
  unknownPartitions,
} from '../../../src/platform/kafka/offset-range.ts';

const bounds = [
  { partition: 1, low: 0n, high: 10n },
  { partition: 0, low: 3n, high: 8n },
];

describe('partitionRanges: what the operator asked for, intersected with what each partition holds', () => {
  it('reads every partition from its log start to the high watermark when nothing is chosen', () => {
    expect(partitionRanges(bounds, {})).toEqual([
      { partition: 0, start: 3n, end: 8n },
      { partition: 1, start: 0n, end: 10n },
    ]);
  });

  it('treats --to-offset as inclusive and never reads past the high watermark', () => {
    expect(partitionRanges(bounds, { partitions: [1], fromOffset: 2n, toOffset: 4n })).toEqual([
      { partition: 1, start: 2n, end: 5n },
    ]);
    expect(partitionRanges(bounds, { partitions: [0], fromOffset: 0n, toOffset: 99n })).toEqual([
      { partition: 0, start: 3n, end: 8n },
    ]);
  });

  it('intersects offsets with the offsets the chosen times resolved to', () => {
    const timed = [{ partition: 0, low: 0n, high: 10n, fromTimeOffset: 4n, afterToTimeOffset: 7n }];
    expect(partitionRanges(timed, { fromOffset: 5n })).toEqual([{ partition: 0, start: 5n, end: 7n }]);
  });

  it('gives an empty range, never a negative one, when from lies after to', () => {
    expect(partitionRanges(bounds, { partitions: [1], fromOffset: 6n, toOffset: 2n })).toEqual([
      { partition: 1, start: 6n, end: 6n },
    ]);
  });

  it('names partitions the topic does not have', () => {
    expect(unknownPartitions(bounds, { partitions: [0, 4, 7] })).toEqual([4, 7]);
  });
});

describe('newestOffsets: the last n offsets of each range, for dlq list --limit', () => {
  it('starts each range n before its end, never before its start', () => {
    const ranges = partitionRanges(bounds, {});
    expect(newestOffsets(ranges, 3)).toEqual([
      { partition: 0, start: 5n, end: 8n },
      { partition: 1, start: 7n, end: 10n },
    ]);
    expect(newestOffsets(ranges, 50)).toEqual(ranges);
  });

  it('reads nothing for n = 0 and leaves empty ranges empty', () => {
    expect(newestOffsets([{ partition: 0, start: 3n, end: 8n }], 0)).toEqual([
      { partition: 0, start: 8n, end: 8n },
    ]);
    expect(newestOffsets([{ partition: 0, start: 4n, end: 4n }], 2)).toEqual([
      { partition: 0, start: 4n, end: 4n },
    ]);
  });
});
