import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { patchSeeksAcrossGenerations } from '../../../src/platform/kafka/seek-generation-patch.ts';

const require = createRequire(import.meta.url);
const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as {
  prototype: { joinAndSync(): Promise<void> };
};
const SeekOffsets = require('kafkajs/src/consumer/seekOffsets.js') as new () => Map<string, string> & {
  set(topic: string, partition: number, offset: string): void;
  has(topic: string, partition: number): boolean;
};

describe('kafkajs seeks across group generations', () => {
  it('is patched on kafkajs 2.2.4', () => {
    expect(patchSeeksAcrossGenerations()).toBe(true);
  });

  it('keeps the seeks of a first join and drops those left before a rejoin once it has synced', async () => {
    patchSeeksAcrossGenerations();
    const seekOffset = new SeekOffsets();
    seekOffset.set('t', 2, '100');
    let seeksAtJoin = -1;
    // kafkajs's own joinAndSync, run on a group whose join and sync reach no broker.
    const [join, sync] = ['join', 'sync'].map((name) =>
      Object.getOwnPropertySymbols(ConsumerGroup.prototype).find((s) => String(s).includes(`:${name}`)),
    );
    const group = Object.create(ConsumerGroup.prototype) as { joinAndSync(): Promise<void> };
    Object.assign(group, {
      seekOffset,
      retrier: (fn: (bail: (error: Error) => never) => Promise<void>) =>
        fn((error) => {
          throw error;
        }),
      [join as symbol]: async () => {
        seeksAtJoin = seekOffset.size;
      },
      [sync as symbol]: async () => undefined,
      assigned: () => [],
      isLeader: () => false,
      instrumentationEmitter: { emit: () => undefined },
      logger: { info: () => undefined },
    });
    await group.joinAndSync();
    // The first join keeps them (a reader seeks where it starts before its group has joined).
    expect(seeksAtJoin).toBe(1);
    expect(seekOffset.has('t', 2)).toBe(true);
    // A rejoin drops what the last generation left.
    seekOffset.set('t', 3, '7');
    seeksAtJoin = -1;
    await group.joinAndSync();
    expect(seeksAtJoin).toBe(2);
    expect(seekOffset.has('t', 2)).toBe(false);
    expect(seekOffset.has('t', 3)).toBe(false);
  });
});
