import { SyncError } from '../failures/errors.ts';
import { onAbort } from '../platform/abort-callbacks.ts';

/** Slots of work in flight, granted to whoever asks; `group` says on whose behalf (e.g. a tenant). */
export interface Permits {
  /** Resolves with the slot's release; at once with a release of nothing when `signal` aborts first. */
  acquire(group?: string, signal?: AbortSignal): Promise<() => void>;
}

/**
 * Why a group's tasks wait: held by an operator, at its own cap of slots, at its own rate, or for their
 * turn at the shared slots.
 */
export type WaitReason = 'held' | 'at-cap' | 'at-rate' | 'turn';

/** One group as the permits see it now. */
export interface GroupState {
  group: string;
  running: number;
  waiting: number;
  /** Milliseconds the oldest waiting task has waited (0 when none waits). */
  oldestWaitMs: number;
  held: boolean;
  /** Why its tasks wait (undefined when none waits). */
  reason: WaitReason | undefined;
}

interface Waiter {
  readonly since: number;
  readonly wake: () => void;
}

interface GroupQueue {
  readonly waiters: Waiter[];
  /** Slots the group holds now. */
  running: number;
  /** Grants so far, each counted 1/weight (stride scheduling): the waiting group lowest here goes next. */
  pass: number;
  /** Grants it may take now under its rate (a token bucket of one second's grants), and when that was so. */
  tokens: number;
  tokensAt: number;
}

export interface FairPermitsOptions {
  /** A group's share of the slots while several wait (default 1). */
  weightOf?: (group: string) => number;
  /** Most slots one group may hold at once (default: no cap of its own). */
  capOf?: (group: string) => number;
  /** Most grants per second to one group (default: no rate of its own). */
  rateOf?: (group: string) => number;
  now?: () => number;
}

/**
 * A limit of tasks in flight whose free slots go to groups in turn, each in proportion to its weight
 * (stride scheduling, Waldspurger 1995): a group with many waiters takes its share, never the slots
 * another group waits for. A group that was idle starts at the current pass, so it neither banks
 * credit while idle nor waits behind what others took meanwhile. Within a group, first come first
 * served. A held group (an operator paused it) gets no slot until it is let go; a group at its cap
 * waits for one of its own to finish.
 */
export class FairPermits implements Permits {
  /** Slots free now: the capacity less those granted (below 0 after a shrink, until enough are released). */
  #available: number;
  #capacity: number;
  readonly #weightOf: (group: string) => number;
  readonly #capOf: (group: string) => number;
  readonly #rateOf: (group: string) => number;
  readonly #now: () => number;
  /** Set while a group waits only for its rate: grants again when its next token is due. */
  #refill: NodeJS.Timeout | undefined;
  readonly #groups = new Map<string, GroupQueue>();
  readonly #held = new Set<string>();
  /** The pass of the latest grant: where an idle group comes back in. */
  #pass = 0;

  constructor(permits: number, options: FairPermitsOptions = {}) {
    if (!Number.isInteger(permits) || permits < 1) {
      throw new SyncError('INTERNAL_INVARIANT', `permits must be >= 1, got ${permits}`, {
        details: { permits },
      });
    }
    this.#available = permits;
    this.#capacity = permits;
    this.#weightOf = options.weightOf ?? (() => 1);
    this.#capOf = options.capOf ?? (() => Number.POSITIVE_INFINITY);
    this.#rateOf = options.rateOf ?? (() => Number.POSITIVE_INFINITY);
    this.#now = options.now ?? Date.now;
  }

  /**
   * Sets how many slots there are. More: waiting groups get them in turn at once. Fewer: tasks running
   * finish, and no slot is granted until fewer than the new number run.
   */
  resize(permits: number): void {
    const next = Math.max(1, Math.floor(permits));
    this.#available += next - this.#capacity;
    this.#capacity = next;
    this.#grant();
  }

  /** Holds a group's waiting and later tasks until `release(group)`; those running finish. */
  hold(group: string): void {
    this.#held.add(group);
  }

  /** Lets a held group's tasks go again, oldest first. */
  release(group: string): void {
    if (this.#held.delete(group)) this.#grant();
  }

  isHeld(group: string): boolean {
    return this.#held.has(group);
  }

  /** Every group that holds or waits for slots, and the held ones. */
  groups(): GroupState[] {
    const now = this.#now();
    const names = new Set([...this.#groups.keys(), ...this.#held]);
    return [...names].map((group) => {
      const queue = this.#groups.get(group);
      const waiting = queue?.waiters.length ?? 0;
      return {
        group,
        running: queue?.running ?? 0,
        waiting,
        oldestWaitMs: waiting > 0 ? now - (queue?.waiters[0]?.since ?? now) : 0,
        held: this.#held.has(group),
        reason: waiting === 0 ? undefined : this.#reasonOf(group, queue as GroupQueue),
      };
    });
  }

  async acquire(group = '', signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return () => undefined;
    const queue = this.#queueOf(group);
    if (this.#available > 0 && this.#eligible(group, queue) && queue.waiters.length === 0) {
      this.#take(group, queue);
    } else if (!(await this.#wait(queue, signal))) {
      this.#forget(group, queue);
      return () => undefined;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#available++;
      queue.running--;
      this.#forget(group, queue);
      this.#grant();
    };
  }

  /** True once granted a slot, false when `signal` aborted the wait first. */
  #wait(queue: GroupQueue, signal: AbortSignal | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      // One listener on the signal for all its waiters: thousands of records of a partition wait on it.
      const forget = signal
        ? onAbort(signal, () => {
            const index = queue.waiters.indexOf(waiter);
            if (index >= 0) queue.waiters.splice(index, 1);
            resolve(false);
          })
        : () => undefined;
      const waiter: Waiter = {
        since: this.#now(),
        wake: () => {
          forget();
          resolve(true);
        },
      };
      queue.waiters.push(waiter);
    });
  }

  /** The group's state while it holds or waits for slots; one coming back from idle starts at the current pass. */
  #queueOf(group: string): GroupQueue {
    let queue = this.#groups.get(group);
    if (!queue) {
      const rate = this.#rateOf(group);
      queue = { waiters: [], running: 0, pass: this.#pass, tokens: Math.max(1, rate), tokensAt: this.#now() };
      this.#groups.set(group, queue);
    }
    return queue;
  }

  #forget(group: string, queue: GroupQueue): void {
    if (queue.running === 0 && queue.waiters.length === 0 && this.#groups.get(group) === queue) {
      this.#groups.delete(group);
    }
  }

  #eligible(group: string, queue: GroupQueue): boolean {
    return !this.#held.has(group) && queue.running < this.#capOf(group) && this.#tokens(group, queue) >= 1;
  }

  #reasonOf(group: string, queue: GroupQueue): WaitReason {
    if (this.#held.has(group)) return 'held';
    if (queue.running >= this.#capOf(group)) return 'at-cap';
    return this.#tokens(group, queue) < 1 ? 'at-rate' : 'turn';
  }

  /** The group's tokens now: its bucket refilled at its rate since last looked at, up to one second's worth. */
  #tokens(group: string, queue: GroupQueue): number {
    const rate = this.#rateOf(group);
    if (!Number.isFinite(rate)) return Number.POSITIVE_INFINITY;
    const now = this.#now();
    queue.tokens = Math.min(Math.max(1, rate), queue.tokens + ((now - queue.tokensAt) * rate) / 1_000);
    queue.tokensAt = now;
    return queue.tokens;
  }

  #take(group: string, queue: GroupQueue): void {
    this.#available--;
    queue.running++;
    queue.tokens--;
    this.#pass = Math.max(this.#pass, queue.pass);
    queue.pass += 1 / Math.max(1, this.#weightOf(group));
  }

  /** Hands free slots to the eligible waiting groups lowest in pass. */
  #grant(): void {
    while (this.#available > 0) {
      const next = this.#lowestPass();
      if (!next) {
        this.#grantWhenRefilled();
        return;
      }
      const [group, queue] = next;
      this.#take(group, queue);
      (queue.waiters.shift() as Waiter).wake();
    }
  }

  /** Slots are free but the groups waiting are at their rate: look again when the first token is due. */
  #grantWhenRefilled(): void {
    if (this.#refill) return;
    let dueMs = Number.POSITIVE_INFINITY;
    for (const [group, queue] of this.#groups) {
      if (queue.waiters.length === 0 || this.#reasonOf(group, queue) !== 'at-rate') continue;
      dueMs = Math.min(dueMs, ((1 - queue.tokens) * 1_000) / this.#rateOf(group));
    }
    if (!Number.isFinite(dueMs)) return;
    this.#refill = setTimeout(() => {
      this.#refill = undefined;
      this.#grant();
    }, Math.ceil(dueMs));
    this.#refill.unref();
  }

  #lowestPass(): [string, GroupQueue] | undefined {
    let best: [string, GroupQueue] | undefined;
    for (const entry of this.#groups) {
      const [group, queue] = entry;
      if (queue.waiters.length === 0 || !this.#eligible(group, queue)) continue;
      if (!best || queue.pass < best[1].pass) best = entry;
    }
    return best;
  }
}
