import { KeyLanes, Semaphore } from '../consuming/key-lanes.ts';
import { Pacer } from './pacer.ts';

export interface ReplaySchedulerOptions {
  /** Pushes in flight at most (the finance client's adaptive limit may allow fewer). */
  maxInFlight: number;
  /** Pushes started per second at most. */
  rate?: number;
}

/**
 * Runs replay pushes through the pusher's engine: concurrent across keys, in order within a key,
 * optionally paced. `maxInFlight` bounds finance calls (the finance client's adaptive limit);
 * pushes in progress may be twice that, so announcing one push overlaps the next finance calls.
 * `schedule` returns once the record is admitted, so the reader fetches no further than the window
 * (room for records waiting behind a busy key) plus one fetch: a 100,000-record range never sits
 * in memory. The first failure stops admission; `drain` waits for what is in flight and rethrows it.
 */
export class ReplayScheduler {
  readonly #window: Semaphore;
  readonly #lanes: KeyLanes;
  readonly #pacer: Pacer | undefined;
  readonly #running = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;

  constructor(options: ReplaySchedulerOptions) {
    this.#window = new Semaphore(options.maxInFlight * 4);
    this.#lanes = new KeyLanes(new Semaphore(options.maxInFlight * 2));
    this.#pacer = options.rate === undefined ? undefined : new Pacer(options.rate);
  }

  /** The first failure of any push, once there is one. */
  get failure(): { error: unknown } | undefined {
    return this.#failure;
  }

  async schedule(key: string, push: () => Promise<void>): Promise<void> {
    const release = await this.#window.acquire();
    const run = this.#lanes
      .run(key, async () => {
        if (this.#failure) return; // stopping: start nothing new, even what was admitted
        await this.#pacer?.next();
        try {
          await push();
        } catch (error) {
          // Noted before the lane frees its slot, so the next push already sees it.
          this.#failure ??= { error };
        }
      })
      .finally(() => {
        release();
        this.#running.delete(run);
      });
    this.#running.add(run);
  }

  /** Waits for every admitted push; rethrows the first failure. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
    if (this.#failure) throw this.#failure.error;
  }
}
