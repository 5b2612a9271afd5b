import { InvalidArgumentError } from 'commander';

/**
 * Parsers for command-line values: each rejects a bad value at once, with what it expected, as an
 * InvalidArgumentError that commander prints as one usage line (no stack trace). Every string is
 * accepted or refused that way, whatever it holds: test/operator/cli-arguments.test.ts fuzzes them.
 */

const MAX_OFFSET = 2n ** 63n - 1n; // Kafka offsets are int64
const MAX_PARTITION = 2_147_483_647; // Kafka partitions are int32

function offsetOf(digits: string): bigint {
  const offset = BigInt(digits);
  if (offset > MAX_OFFSET)
    throw new InvalidArgumentError(`expected an offset of at most ${MAX_OFFSET} (int64)`);
  return offset;
}

/** A Kafka offset: a non-negative integer, as bigint (offsets are int64). */
export function parseOffset(value: string): bigint {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a non-negative integer offset');
  return offsetOf(value.trim());
}

function parsePartition(value: string): number {
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || n > MAX_PARTITION) {
    throw new InvalidArgumentError(
      `expected a partition number (0 to ${MAX_PARTITION}), got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return n;
}

/** `--partition 0 --partition 2` or `--partition 0,2`: accumulates into one sorted, unique list. */
export function parsePartitions(value: string, previous: number[] = []): number[] {
  const added = value.split(',').filter(Boolean).map(parsePartition);
  if (added.length === 0) throw new InvalidArgumentError('expected partition numbers, e.g. 0 or 0,2');
  return [...new Set([...previous, ...added])].sort((a, b) => a - b);
}

/** An ISO 8601 time with a date, e.g. `2026-05-01T10:00:00Z` or `2026-05-01`. */
export function parseTime(value: string): Date {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new InvalidArgumentError('expected an ISO 8601 time, e.g. 2026-05-01T10:00:00Z');
  }
  return new Date(ms);
}

export interface Coordinates {
  partition: number;
  offset: bigint;
}

/** `2:17` (partition 2, offset 17) or `17` (partition 0, offset 17). */
export function parseCoordinates(value: string): Coordinates {
  const match = /^(?:(\d+):)?(\d+)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected <partition>:<offset> or <offset>, e.g. 0:17');
  return {
    partition: match[1] === undefined ? 0 : parsePartition(match[1]),
    offset: offsetOf(match[2] ?? '0'),
  };
}

/** Repeatable `--offset 0:3 --offset 1:7`. */
export function collectCoordinates(value: string, previous: Coordinates[] = []): Coordinates[] {
  return [...previous, parseCoordinates(value)];
}

/** A whole number of at least 1 (`--limit`, `--rate`, `--max-in-flight`): `1e3`, `0x10` and `` are not. */
export function parsePositive(value: string): number {
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a whole number of at least 1');
  }
  return n;
}

/** An integer, perhaps negative (`--total-minor`), within ±2^53. */
export function parseInteger(value: string): number {
  const n = Number(value.trim());
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(
      `expected an integer between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`,
    );
  }
  return n;
}

const TENANT_ID = /^[A-Za-z0-9._-]{1,64}$/; // DESIGN.md's identifiers

/** A tenant id: 1-64 characters of A-Z a-z 0-9 . _ - */
export function parseTenant(value: string): string {
  if (!TENANT_ID.test(value)) {
    throw new InvalidArgumentError(
      `expected a tenant id (1-64 characters of A-Z a-z 0-9 . _ -), got ${JSON.stringify(value.slice(0, 70))}`,
    );
  }
  return value;
}

/** A pause's reason: at most 200 characters, no control characters. */
export function parseReason(value: string): string {
  if (value.length > 200 || /\p{Cc}/u.test(value)) {
    throw new InvalidArgumentError('expected a reason of at most 200 characters, without control characters');
  }
  return value;
}
