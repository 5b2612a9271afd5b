import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { keyPartitioner, murmur2, partitionForKey } from '../../../src/platform/kafka/key-partitioner.ts';

function metadata(count: number, leaderless: number[] = []): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
}

/** kafkajs's own default partitioner: the reference every keyed producer of our topics agrees with. */
const reference = Partitioners.DefaultPartitioner();
const ours = keyPartitioner();

const keys = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 600 }),
  fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)),
);

describe('keyPartitioner', () => {
  it('puts every key where kafkajs (and the Java client) puts it, whatever its bytes and the partition count', () => {
    fc.assert(
      fc.property(keys, fc.integer({ min: 1, max: 500 }), (key, count) => {
        const args = { topic: 't', partitionMetadata: metadata(count), message: { key, value: null } };
        expect(ours(args)).toBe(reference(args));
        if (typeof key === 'string') expect(partitionForKey(key, count)).toBe(reference(args));
      }),
      { numRuns: 3000 },
    );
  });

  it('hashes keys longer than its scratch buffer, and shorter ones after them, alike', () => {
    const long = 'é'.repeat(1000);
    const args = (key: string) => ({
      topic: 't',
      partitionMetadata: metadata(7),
      message: { key, value: null },
    });
    expect(ours(args(long))).toBe(reference(args(long)));
    expect(ours(args('acme:digitalocean:INV-1'))).toBe(reference(args('acme:digitalocean:INV-1')));
  });

  it('gives the values of the Java client on known keys', () => {
    // Kafka's UtilsTest.testMurmur2: the same inputs and results.
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, value] of cases) expect(murmur2(key)).toBe(value);
  });

  it('keeps a record’s own partition and leaves keyless records to round robin over partitions with a leader', () => {
    const withPartition = {
      topic: 't',
      partitionMetadata: metadata(6),
      message: { key: 'k', partition: 4, value: null },
    };
    expect(ours(withPartition)).toBe(4);
    const seen = new Set<number>();
    for (let i = 0; i < 60; i++) {
      seen.add(
        ours({ topic: 't', partitionMetadata: metadata(6, [2, 5]), message: { key: null, value: null } }),
      );
    }
    expect([...seen].sort()).toEqual([0, 1, 3, 4]);
  });
});
