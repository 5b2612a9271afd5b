import avro from 'avsc';

/**
 * Avro `long` as a JS number while it is a safe integer, and as a bigint beyond that. avsc's own long
 * refuses such values while decoding ("potential precision loss"), which would dead-letter an event
 * with an unsafe amount as undecodable; decoded as a bigint, validation names the field instead.
 */
const MIN = BigInt(Number.MIN_SAFE_INTEGER);
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

export const SafeLongType = avro.types.LongType.__with({
  fromBuffer: (buffer: Buffer) => {
    const value = buffer.readBigInt64LE(0);
    return value >= MIN && value <= MAX ? Number(value) : value;
  },
  toBuffer: (value: number | bigint) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64LE(BigInt(value));
    return buffer;
  },
  fromJSON: (value: number | string) => (typeof value === 'string' ? BigInt(value) : value),
  toJSON: (value: number | bigint) => (typeof value === 'bigint' ? value.toString() : value),
  isValid: (value: unknown) =>
    (typeof value === 'number' && Number.isSafeInteger(value)) || typeof value === 'bigint',
  compare: (a: number | bigint, b: number | bigint) => (a < b ? -1 : a > b ? 1 : 0),
});
