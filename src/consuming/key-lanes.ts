import { SyncError } from '../failures/errors.ts';
import type { Permits } from './fair-permits.ts';

/**
 * Runs tasks concurrently across keys while keeping each key's tasks in arrival order, under a
 * shared limit of tasks in flight. One instance is shared by all partitions of a consumer, so the
 * limit bounds the load on finance whatever the partition count.
 */
export class Semaphore implements Permits {
  #available: number;
  readonly #waiters: (() => void)[] = [];

  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1) {
      throw new SyncError('INTERNAL_INVARIANT', `permits must be >= 1, got ${permits}`, {
        details: { permits },
      });
    }
    this.#available = permits;
  }

  async acquire(): Promise<() => void> {
    if (this.#available > 0) {
      this.#available--;
    } else {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#available++;
    };
  }
}

export class KeyLanes {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #permits: Permits;
  readonly #groupOf: (key: string) => string;
  /** Tasks scheduled and not finished, by group: those running, waiting for a slot, or behind their key's. */
  readonly #pending = new Map<string, number>();

  /**
   * `permits`: a Semaphore (first come, first served) or FairPermits (groups in turn); `groupOf` says
   * on whose behalf a key's tasks ask for one (e.g. the key's tenant, given by the capability).
   */
  constructor(permits: Permits, groupOf: (key: string) => string = () => '') {
    this.#permits = permits;
    this.#groupOf = groupOf;
  }

  /**
   * Schedules `task` after every earlier task of the same key; resolves when it has run. Once `signal`
   * aborts, a task still waiting for a slot runs at once without one (it is expected to see the signal
   * and return): a held group's tasks never outlive the records' generation.
   */
  run<T>(key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const group = this.#groupOf(key);
    this.#pending.set(group, (this.#pending.get(group) ?? 0) + 1);
    const result = previous.then(async () => {
      const release = await this.#permits.acquire(group, signal);
      try {
        return await task();
      } finally {
        release();
      }
    });
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
      const left = (this.#pending.get(group) ?? 1) - 1;
      if (left > 0) this.#pending.set(group, left);
      else this.#pending.delete(group);
    });
    return result;
  }

  /** Tasks scheduled and not finished, by group (running ones included). */
  pendingByGroup(): ReadonlyMap<string, number> {
    return this.#pending;
  }
}
