import avro from 'avsc';

/**
 * Avro `long` as a JS number while it is a safe integer, and as a bigint beyond that. avsc's own long
 * refuses such values while decoding ("potential precision loss"), which would dead-letter an event
 * with an unsafe amount as undecodable; decoded as a bigint, validation names the field instead.
 */
const MIN = BigInt(Number.MIN_SAFE_INTEGER);
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

const methods = {
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
};

/** Below 2^52 in magnitude avsc's own varint reading is exact: twice the value stays under 2^53. */
const EXACT = 2 ** 52;

type Tap = { pos: number; readLong(): number };
type AbstractLong = new (noUnpack: boolean) => { _read(tap: Tap): number | bigint };
const AbstractLongType = Object.getPrototypeOf(avro.types.LongType.__with(methods))
  .constructor as AbstractLong;

/**
 * avsc hands a custom long type its 8 bytes in a fresh Buffer for every value (33 per 33-line invoice,
 * 10,000 per 10,000-line one); every real amount is far below 2^52, so the varint is read as a
 * number directly and only a larger one goes through the Buffer.
 */
class SafeLong extends AbstractLongType {
  override _read(tap: Tap): number | bigint {
    const start = tap.pos;
    const value = tap.readLong();
    if (Math.abs(value) < EXACT) return value;
    tap.pos = start;
    return super._read(tap);
  }
}

/** Built as avsc's `LongType.__with(methods)` builds it, with the reading above. */
function safeLongType(): avro.types.LongType {
  const type = new SafeLong(false);
  Object.assign(type, {
    _toBuffer: methods.toBuffer,
    _fromBuffer: methods.fromBuffer,
    _fromJSON: methods.fromJSON,
    _toJSON: methods.toJSON,
    _isValid: methods.isValid,
    compare: methods.compare,
  });
  return Object.freeze(type) as unknown as avro.types.LongType;
}

export const SafeLongType = safeLongType();
