import { SyncError } from '../failures/errors.ts';

/** Slots of work in flight, granted to whoever asks; `group` says on whose behalf (e.g. a tenant). */
export interface Permits {
  acquire(group?: string): Promise<() => void>;
}

interface GroupQueue {
  readonly waiters: (() => void)[];
  /** Slots the group holds now. */
  running: number;
  /** Grants so far, each counted 1/weight (stride scheduling): the waiting group lowest here goes next. */
  pass: number;
}

/**
 * A limit of tasks in flight whose free slots go to groups in turn, each in proportion to its weight
 * (stride scheduling, Waldspurger 1995): a group with many waiters takes its share, never the slots
 * another group waits for. A group that was idle starts at the current pass, so it neither banks
 * credit while idle nor waits behind what others took meanwhile. Within a group, first come first served.
 */
export class FairPermits implements Permits {
  #available: number;
  readonly #weightOf: (group: string) => number;
  readonly #groups = new Map<string, GroupQueue>();
  /** The pass of the latest grant: where an idle group comes back in. */
  #now = 0;

  constructor(permits: number, weightOf: (group: string) => number = () => 1) {
    if (!Number.isInteger(permits) || permits < 1) {
      throw new SyncError('INTERNAL_INVARIANT', `permits must be >= 1, got ${permits}`, {
        details: { permits },
      });
    }
    this.#available = permits;
    this.#weightOf = weightOf;
  }

  /** Groups with tasks waiting for a slot, and how many each. */
  waiting(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [group, queue] of this.#groups)
      if (queue.waiters.length > 0) counts.set(group, queue.waiters.length);
    return counts;
  }

  async acquire(group = ''): Promise<() => void> {
    const queue = this.#queueOf(group);
    // Slots are free only while nobody waits: each release hands its slot on at once (#grant).
    if (this.#available > 0) this.#take(group, queue);
    else await new Promise<void>((resolve) => queue.waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#available++;
      queue.running--;
      if (queue.running === 0 && queue.waiters.length === 0) this.#groups.delete(group);
      this.#grant();
    };
  }

  /** The group's state while it holds or waits for slots; one coming back from idle starts at the current pass. */
  #queueOf(group: string): GroupQueue {
    let queue = this.#groups.get(group);
    if (!queue) {
      queue = { waiters: [], running: 0, pass: this.#now };
      this.#groups.set(group, queue);
    }
    return queue;
  }

  #take(group: string, queue: GroupQueue): void {
    this.#available--;
    queue.running++;
    this.#now = Math.max(this.#now, queue.pass);
    queue.pass += 1 / Math.max(1, this.#weightOf(group));
  }

  /** Hands free slots to the waiting groups lowest in pass. */
  #grant(): void {
    while (this.#available > 0) {
      const next = this.#lowestPass();
      if (!next) return;
      const [group, queue] = next;
      this.#take(group, queue);
      (queue.waiters.shift() as () => void)();
    }
  }

  #lowestPass(): [string, GroupQueue] | undefined {
    let best: [string, GroupQueue] | undefined;
    for (const entry of this.#groups) {
      if (entry[1].waiters.length === 0) continue;
      if (!best || entry[1].pass < best[1].pass) best = entry;
    }
    return best;
  }
}
