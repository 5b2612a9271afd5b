import { patchKafkajsClass } from './kafkajs-patch.ts';

/**
 * kafkajs 2.2.4 keeps a `consumer.seek` in its consumer group until the next fetch of that partition
 * takes it, across a rejoin: a seek asked for in one group generation moves the first fetch of the
 * next one, after kafkajs has read the group's committed offsets. The pusher seeks forward when a pass
 * over parked records ends (back to the end of what it had read); applied in the next generation,
 * that fetch skipped the records between the committed offset and that end, whose pushes the revoked
 * generation had neither finished nor committed, and the group's offsets went on past them. A new
 * generation starts where the group committed: the seeks left over from the old one are dropped once
 * the member has rejoined and synced, before its first fetch. (A seek the old generation still asks for
 * after that is refused by the batch processor: its partition run is stopped.)
 */
interface ConsumerGroup {
  seekOffset: Map<string, string>;
  joinAndSync(this: ConsumerGroup): Promise<void>;
}

const JOINED = Symbol('joined before');

export function patchSeeksAcrossGenerations(): boolean {
  return patchKafkajsClass<ConsumerGroup>(
    'kafkajs/src/consumer/consumerGroup.js',
    Symbol.for('invoice-finance-sync.kafkajs-seek-generation-patch'),
    (proto) => {
      const joinAndSync = proto.joinAndSync;
      proto.joinAndSync = async function (this: ConsumerGroup & { [JOINED]?: true }) {
        // A first join keeps its seeks: a reader seeks where it starts before its group has joined.
        const left = this[JOINED] ? new Map(this.seekOffset) : new Map<string, string>();
        await joinAndSync.call(this);
        this[JOINED] = true;
        for (const [key, offset] of left)
          if (this.seekOffset.get(key) === offset) this.seekOffset.delete(key);
      };
    },
  );
}

patchSeeksAcrossGenerations();
