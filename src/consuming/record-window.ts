import { SyncError } from '../failures/errors.ts';

/**
 * Records taken from Kafka but not finished yet, across every partition of a consumer. The consumer
 * fetches the next batch while earlier records are still in flight, but only while fewer than
 * `highWater` are: that bounds memory whatever the backlog, and keeps a fetch ahead of the work.
 */
export class RecordWindow {
  readonly #highWater: number;
  readonly #waiters = new Set<{ ready: () => boolean; wake: () => void }>();
  #open = 0;

  constructor(highWater: number) {
    if (!Number.isInteger(highWater) || highWater < 1) {
      throw new SyncError('INTERNAL_INVARIANT', `highWater must be a whole number >= 1, got ${highWater}`, {
        details: { highWater },
      });
    }
    this.#highWater = highWater;
  }

  /** Records taken and not finished. */
  get open(): number {
    return this.#open;
  }

  /** At or above the high-water mark: the next fetch waits. */
  get full(): boolean {
    return this.#open >= this.#highWater;
  }

  take(): void {
    this.#open++;
  }

  finish(): void {
    this.#open--;
    for (const waiter of this.#waiters) if (waiter.ready()) waiter.wake();
  }

  /** Resolves once fewer than `highWater` records are open, or at once when `signal` aborts. */
  belowHighWater(signal?: AbortSignal): Promise<void> {
    return this.#until(() => this.#open < this.#highWater, signal);
  }

  /** Resolves once no record is open. */
  drained(): Promise<void> {
    return this.#until(() => this.#open === 0);
  }

  #until(ready: () => boolean, signal?: AbortSignal): Promise<void> {
    if (ready() || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        ready,
        wake: () => {
          this.#waiters.delete(waiter);
          signal?.removeEventListener('abort', waiter.wake);
          resolve();
        },
      };
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', waiter.wake, { once: true });
    });
  }
}
