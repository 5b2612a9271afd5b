/**
 * The latencies of the last calls and their median, for the adaptive limit's latency guard: a one-off
 * slow answer (a pause of finance's or of this process's, common on a busy host) moves the median
 * little; answers that all slow down move it within half a window. The window is kept sorted as well
 * as in arrival order, so adding a call allocates nothing and costs a few dozen comparisons.
 */
export class RecentLatencies {
  /** Oldest first. */
  readonly #arrived: number[] = [];
  readonly #sorted: number[] = [];

  /** Adds `latencyMs`, keeps the last `size`, and returns their median. */
  add(latencyMs: number, size: number): number {
    this.#arrived.push(latencyMs);
    this.#sorted.splice(this.#rank(latencyMs), 0, latencyMs);
    while (this.#arrived.length > size) {
      const oldest = this.#arrived.shift() as number;
      this.#sorted.splice(this.#rank(oldest), 1);
    }
    return this.#sorted[Math.floor(this.#sorted.length / 2)] as number;
  }

  /** Where `latencyMs` goes in the sorted window: before the first larger-or-equal one. */
  #rank(latencyMs: number): number {
    let low = 0;
    let high = this.#sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.#sorted[middle] as number) < latencyMs) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
