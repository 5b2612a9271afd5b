/**
 * Counts the failed attempts of each record (by topic, partition and offset) across partition pauses,
 * so an error nobody classified is dead-lettered after its budget instead of retried forever. Held in
 * memory: a restart gives every record a fresh budget (at most `maxAttempts` more tries each).
 */
export class AttemptBudget {
  readonly #failures = new Map<string, number>();
  readonly #maxTracked: number;

  /** `maxTracked` bounds memory when records are never seen again (their partition moved away). */
  constructor(maxTracked = 10_000) {
    this.#maxTracked = maxTracked;
  }

  /** Records one more failed attempt; returns the attempts so far, this one included. */
  fail(recordId: string): number {
    const attempts = (this.#failures.get(recordId) ?? 0) + 1;
    this.#failures.delete(recordId);
    this.#failures.set(recordId, attempts);
    if (this.#failures.size > this.#maxTracked) {
      const oldest = this.#failures.keys().next().value as string;
      this.#failures.delete(oldest);
    }
    return attempts;
  }

  /** The record is done (pushed, recorded or dead-lettered): forget it. */
  settle(recordId: string): void {
    this.#failures.delete(recordId);
  }
}

export function recordId(topic: string, partition: number, offset: string): string {
  return `${topic}:${partition}:${offset}`;
}
