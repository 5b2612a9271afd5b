/**
 * Tracks which offsets of one partition are finished while later ones may finish first
 * (different keys are pushed concurrently). Only the contiguous finished prefix may be committed:
 * committing past an unfinished offset could lose it on a crash.
 */
export class OffsetTracker {
  readonly #pending: bigint[] = [];
  readonly #done = new Set<bigint>();

  /** Registers offsets in the order they were fetched. */
  track(offset: string): void {
    this.#pending.push(BigInt(offset));
  }

  /**
   * Marks an offset finished; returns the highest offset whose predecessors are all finished
   * (the one to resolve), or undefined when the prefix did not grow.
   */
  finish(offset: string): string | undefined {
    this.#done.add(BigInt(offset));
    let advanced: bigint | undefined;
    while (this.#pending.length > 0 && this.#done.has(this.#pending[0] as bigint)) {
      advanced = this.#pending.shift() as bigint;
      this.#done.delete(advanced);
    }
    return advanced === undefined ? undefined : advanced.toString();
  }

  /** The lowest tracked offset not finished yet: where to fetch again after a failure stopped the partition. */
  get firstUnfinished(): string | undefined {
    return this.#pending[0]?.toString();
  }

  get unfinished(): number {
    return this.#pending.length;
  }
}
