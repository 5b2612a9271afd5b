import { InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  collectCoordinates,
  parseCoordinates,
  parseInteger,
  parseOffset,
  parsePartitions,
  parsePositive,
  parseTime,
} from '../../src/operator/cli-arguments.ts';
import { recordBadInput } from '../helpers/bad-input.ts';

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

  it('refuses offsets beyond int64, partitions beyond int32, an empty partition list, and numbers in disguise', () => {
    expect(parseOffset('9223372036854775807')).toBe(2n ** 63n - 1n);
    expect(() => parseOffset('9223372036854775808')).toThrow(
      'expected an offset of at most 9223372036854775807 (int64)',
    );
    expect(() => parseCoordinates('1:99999999999999999999')).toThrow(InvalidArgumentError);
    expect(() => parseCoordinates('2147483648:0')).toThrow('expected a partition number (0 to 2147483647)');
    expect(() => parseCoordinates('1:-5')).toThrow('expected <partition>:<offset> or <offset>, e.g. 0:17');
    expect(() => parsePartitions(',')).toThrow('expected partition numbers, e.g. 0 or 0,2');
    for (const disguised of ['', ' ', '1e3', '0x10', '1.5', 'Infinity', '０']) {
      expect(() => parsePositive(disguised), disguised).toThrow('expected a whole number of at least 1');
      expect(() => parseInteger(disguised), disguised).toThrow(InvalidArgumentError);
    }
    expect(parseInteger('-8700')).toBe(-8700);
    expect(() => parseInteger('9007199254740993')).toThrow(InvalidArgumentError);
  });
});

// Operator input is input too: whatever the shell passes, a parser gives a value in range or a
// usage error commander prints as one line, never another error with a stack trace.
const FUZZ_RUNS = 3_000; // per parser
const PARSERS = {
  parseOffset: (v: string) => {
    const offset = parseOffset(v);
    return offset >= 0n && offset < 2n ** 63n;
  },
  parsePartitions: (v: string) => {
    const partitions = parsePartitions(v);
    return partitions.length > 0 && partitions.every((p) => Number.isInteger(p) && p >= 0 && p < 2 ** 31);
  },
  parseTime: (v: string) => Number.isFinite(parseTime(v).getTime()),
  parseCoordinates: (v: string) => {
    const { partition, offset } = parseCoordinates(v);
    return (
      Number.isInteger(partition) &&
      partition >= 0 &&
      partition < 2 ** 31 &&
      offset >= 0n &&
      offset < 2n ** 63n
    );
  },
  collectCoordinates: (v: string) => collectCoordinates(v, [{ partition: 0, offset: 1n }]).length === 2,
  parsePositive: (v: string) => Number.isSafeInteger(parsePositive(v)) && parsePositive(v) >= 1,
  parseInteger: (v: string) => Number.isSafeInteger(parseInteger(v)),
} satisfies Record<string, (value: string) => boolean>;

const digits = fc.stringMatching(/^-?\d{0,40}$/);
const hostileArgument = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  digits,
  fc.tuple(digits, digits).map(([p, o]) => `${p}:${o}`),
  fc.tuple(fc.bigInt(), fc.bigInt()).map(([p, o]) => `${p}:${o}`),
  fc.double().map(String),
  fc.array(digits, { maxLength: 5 }).map((list) => list.join(',')),
  fc
    .date({ noInvalidDate: false })
    .map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString())),
  fc.stringMatching(/^\d{4}-\d{2}-\d{2}[T ]?[\d:.+Z-]{0,20}$/),
  fc.constantFrom(
    '1:-5',
    'abc',
    '-0',
    '١٢:٣',
    '１:２',
    '9'.repeat(5_000),
    '0:0:0',
    ':',
    ' 7 ',
    '\u0000',
    '2026-02-30',
  ),
);

describe('command-line values, fuzzed', () => {
  for (const [name, accepts] of Object.entries(PARSERS)) {
    it(`${name} gives a value in range or an InvalidArgumentError with a message, for ${FUZZ_RUNS} arbitrary strings`, () => {
      fc.assert(
        fc.property(hostileArgument, (value) => {
          try {
            expect(accepts(value)).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidArgumentError);
            expect((error as Error).message).toMatch(/^expected \S/);
          }
        }),
        { numRuns: FUZZ_RUNS },
      );
    });
  }
  afterAll(() => {
    const parsers = Object.keys(PARSERS).length;
    recordBadInput('operator-cli-arguments', {
      surface: 'operator input: command-line values',
      inputs: parsers * FUZZ_RUNS,
      crashes: 0,
      stalls: 0,
      lost: 0,
      what: `arbitrary strings to each of the ${parsers} argument parsers (offsets, partitions, times, positions, numbers): a value in range or one usage line`,
    });
  });
});
