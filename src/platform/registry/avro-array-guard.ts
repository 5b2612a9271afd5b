import { createRequire } from 'node:module';

/**
 * avsc 5.7.9 reads an array block by trusting its item count: `while (n--) items._read(tap)`, and
 * only after the whole value checks whether it read past the end of the buffer ("truncated buffer").
 * A 90-byte record whose `lines` block claims 100 million items therefore spins the event loop for
 * minutes and allocates an object per phantom item until the heap gives out: one poison record
 * stalls (or crashes) every pusher that takes its partition, whatever EVENT_MAX_BYTES says. Found by
 * the event fuzz test (test/push/event-fuzz.int.test.ts).
 *
 * The guard stops reading items once the reader is past the end: every item of our schemas takes at
 * least one byte, so a block never reads more items than bytes remain, and the value is then refused
 * as truncated like any other short body (EVENT_UNDECODABLE). Resolvers (a writer schema differing
 * from ours) reuse the same `_read` (`ArrayType.prototype._update`), so both decode paths are bound.
 * Our schemas have no maps; a map would need the same guard.
 */
const require = createRequire(import.meta.url);

interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
  isValid(): boolean;
}

interface ArrayTypeLike {
  itemsType: { _read(tap: Tap): unknown };
}

const PATCHED_VERSION = '5.7.9';
const PATCHED = Symbol.for('invoice-finance-sync.avsc-array-guard');

export function guardAvroArrays(): boolean {
  const { version } = require('avsc/package.json') as { version: string };
  if (version !== PATCHED_VERSION) return false; // another version may read arrays differently
  const avro = require('avsc') as {
    types: { ArrayType: { prototype: { _read(tap: Tap): unknown[]; [PATCHED]?: true } } };
  };
  const proto = avro.types.ArrayType.prototype;
  if (proto[PATCHED]) return true;
  proto._read = function readBoundedArray(this: ArrayTypeLike, tap: Tap): unknown[] {
    const items = this.itemsType;
    const values: unknown[] = [];
    let n = tap.readLong();
    while (n !== 0 && tap.isValid()) {
      if (n < 0) {
        n = -n;
        tap.skipLong(); // the block's size in bytes
      }
      // Past the end, reads yield garbage and advance: stop there and let fromBuffer refuse it.
      for (; n > 0 && tap.isValid(); n--) values.push(items._read(tap));
      if (!tap.isValid()) break;
      n = tap.readLong();
    }
    return values;
  };
  proto[PATCHED] = true;
  return true;
}

guardAvroArrays();
