import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  collectCoordinates,
  parseCoordinates,
  parseOffset,
  parsePartitions,
  parseTime,
} from '../../src/commands/cli-arguments.ts';

describe('command-line values', () => {
  it('accumulates --partition given repeatedly or as a comma list, sorted and unique', () => {
    expect(parsePartitions('2', parsePartitions('0,2,1'))).toEqual([0, 1, 2]);
    expect(() => parsePartitions('one')).toThrow(InvalidArgumentError);
  });

  it('reads offsets as bigint and rejects negatives', () => {
    expect(parseOffset('9007199254740993')).toBe(9007199254740993n);
    expect(() => parseOffset('-1')).toThrow('expected a non-negative integer offset');
  });

  it('reads ISO times and rejects anything without a date', () => {
    expect(parseTime('2026-05-01T10:00:00Z').toISOString()).toBe('2026-05-01T10:00:00.000Z');
    expect(() => parseTime('yesterday')).toThrow(InvalidArgumentError);
    expect(() => parseTime('1000')).toThrow(InvalidArgumentError);
  });

  it('reads dead-letter positions as partition:offset, or offset of partition 0', () => {
    expect(parseCoordinates('2:17')).toEqual({ partition: 2, offset: 17n });
    expect(parseCoordinates('17')).toEqual({ partition: 0, offset: 17n });
    expect(collectCoordinates('1:3', [{ partition: 0, offset: 1n }])).toHaveLength(2);
    expect(() => parseCoordinates('2:')).toThrow('expected <partition>:<offset> or <offset>, e.g. 0:17');
  });
});
