/** What one readiness check reports: the database's, the registry's and the brokers'. */
export interface ProbeResult {
  ok: boolean;
  error?: string;
}

/**
 * How long a readiness probe forgives a dependency that answered before and is now only slow (a
 * check timed out: a busy or restarting server, a starved machine, a collector's pause). One slow
 * answer alone made /readyz flap (found by the reliability suite); a dependency silent for longer
 * than this, or one that never answered, is down.
 */
export const SILENCE_TOLERATED_MS = 5_000;

/** The memory of one probe: whether its dependency ever answered, and since when it has been silent. */
export class SilenceTolerance {
  readonly #toleratedMs: number;
  #answeredBefore = false;
  /** When the current run of unanswered checks began. */
  #silentSince: number | undefined;

  constructor(toleratedMs = SILENCE_TOLERATED_MS) {
    this.#toleratedMs = toleratedMs;
  }

  /** The dependency answered: any silence before is over. */
  answered(): void {
    this.#answeredBefore = true;
    this.#silentSince = undefined;
  }

  /** A check got no answer in time: true while this is a short silence of a dependency that answered before. */
  tolerates(now = Date.now()): boolean {
    this.#silentSince ??= now;
    return this.#answeredBefore && now - this.#silentSince < this.#toleratedMs;
  }
}
