/**
 * Spaces starts evenly at a rate (`replay --rate`): each `next()` resolves at the earliest
 * 1/rate seconds after the previous one. No bursts: a replay capped at 50/s never sends 50 at once.
 */
export class Pacer {
  readonly #intervalMs: number;
  readonly #now: () => number;
  #nextAt = Number.NEGATIVE_INFINITY;

  constructor(perSecond: number, now: () => number = () => performance.now()) {
    this.#intervalMs = 1_000 / perSecond;
    this.#now = now;
  }

  /** Milliseconds the caller must wait before starting; reserves that slot. */
  reserve(): number {
    const now = this.#now();
    const at = Math.max(now, this.#nextAt);
    this.#nextAt = at + this.#intervalMs;
    return at - now;
  }

  async next(): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
