import { type ICustomPartitioner, Partitioners } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Where a string key's UTF-8 bytes are hashed: one buffer, grown when a key needs more. */
let scratch = Buffer.allocUnsafe(256);

/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`) in 32-bit integer arithmetic. kafkajs's own
 * computes the same value through 64-bit `Long` objects, a dozen of them per four bytes of key: on
 * every announcement, that was a twentieth of what the pusher allocated.
 */
export function murmur2(key: Buffer | string): number {
  let data: Buffer;
  let length: number;
  if (Buffer.isBuffer(key)) {
    data = key;
    length = key.length;
  } else {
    const text = String(key);
    const needed = Buffer.byteLength(text, 'utf8');
    if (needed > scratch.length) scratch = Buffer.allocUnsafe(needed * 2);
    length = scratch.write(text, 0, 'utf8');
    data = scratch;
  }
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] as number) | ((data[i + 1] as number) << 8);
    k |= ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last one to three bytes, as the Java original's falling-through switch takes them.
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= (data[whole + 2] as number) << 16;
    if (tail >= 2) h ^= (data[whole + 1] as number) << 8;
    h ^= data[whole] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * kafkajs's default partitioner (Java-compatible: a keyed record goes to murmur2(key) mod the
 * partition count) with the hash above. A record with its own partition keeps it; one without a key
 * is left to kafkajs's partitioner (round robin over the partitions with a leader).
 */
export const keyPartitioner: ICustomPartitioner = () => {
  const keyless = Partitioners.DefaultPartitioner();
  return (args) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key === null || message.key === undefined) return keyless(args);
    return (murmur2(message.key) & 0x7fffffff) % partitionMetadata.length;
  };
};

/** The partition of `key` among `partitionCount`: where the service and any keyed producer put it. */
export function partitionForKey(key: string, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}
