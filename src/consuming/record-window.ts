import { SyncError } from '../failures/errors.ts';

/**
 * Records taken from Kafka but not finished yet, across every partition of a consumer. The consumer
 * fetches the next batch while earlier records are still in flight, but only while fewer than
 * `highWater` are, holding fewer than `maxBytes` of keys and values: that bounds memory whatever the
 * backlog, and keeps a fetch ahead of the work. One record is always let in, however large.
 */
export class RecordWindow {
  readonly #highWater: number;
  readonly #maxBytes: number;
  readonly #waiters = new Set<{ ready: () => boolean; wake: () => void }>();
  #open = 0;
  #bytes = 0;

  constructor(highWater: number, maxBytes = Number.POSITIVE_INFINITY) {
    if (!Number.isInteger(highWater) || highWater < 1) {
      throw new SyncError('INTERNAL_INVARIANT', `highWater must be a whole number >= 1, got ${highWater}`, {
        details: { highWater },
      });
    }
    this.#highWater = highWater;
    this.#maxBytes = maxBytes;
  }

  /** Records taken and not finished. */
  get open(): number {
    return this.#open;
  }

  /** Bytes of the open records' keys and values. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Records the window holds at most (bytes allowing). */
  get highWater(): number {
    return this.#highWater;
  }

  /** At or above half its high-water mark, in records or bytes. */
  get halfFull(): boolean {
    return this.#open * 2 >= this.#highWater || this.#bytes * 2 >= this.#maxBytes;
  }

  /** At or above three quarters of its high-water mark, in records or bytes: no more reading parked records again. */
  get threeQuartersFull(): boolean {
    return this.#open * 4 >= this.#highWater * 3 || this.#bytes * 4 >= this.#maxBytes * 3;
  }

  /** At or above the high-water mark (records or bytes): the next fetch waits. */
  get full(): boolean {
    return this.#open >= this.#highWater || (this.#open > 0 && this.#bytes >= this.#maxBytes);
  }

  take(bytes = 0): void {
    this.#open++;
    this.#bytes += bytes;
  }

  finish(bytes = 0): void {
    this.#open--;
    this.#bytes -= bytes;
    for (const waiter of this.#waiters) if (waiter.ready()) waiter.wake();
  }

  /** Resolves once the window is below its high-water mark, or at once when `signal` aborts. */
  belowHighWater(signal?: AbortSignal): Promise<void> {
    return this.#until(() => !this.full, signal);
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
