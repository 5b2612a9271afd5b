import { withinTime } from './time-limit.ts';

/** What one readiness check reports: the database's, the registry's and the brokers'. */
export interface ProbeResult {
  ok: boolean;
  error?: string;
}

/** A check answers within this, whatever its dependency does: /readyz must answer a kubelet in time. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * How long a readiness probe forgives a dependency that answered before and is now only slow (a
 * check timed out: a busy or restarting server, a starved machine, a collector's pause). One slow
 * answer alone made /readyz flap (found by the reliability suite); a dependency silent for longer
 * than this, or one that never answered, is down.
 */
export const SILENCE_TOLERATED_MS = 5_000;

export interface TimedProbeOptions {
  /** Most a check waits for its dependency (default 2 s). */
  timeoutMs?: number;
  /** How long a dependency that answered before may stay silent and still be called up (default 5 s). */
  silenceToleratedMs?: number;
  /** Errors of the dependency's own client that mean silence (its timeouts), not a refusal; by default none. */
  silent?: (error: Error) => boolean;
  /** The probe's error from the failure's message; `timedOut` when the probe gave up waiting itself. */
  describe?: (reason: string, timedOut: boolean) => string;
}

/** The probe gave up waiting: the dependency is silent. */
class NoAnswer extends Error {}

/**
 * One dependency's part of /readyz. Every check answers within `timeoutMs`, and checks share the
 * request under way, so a hung dependency never piles requests up (nor holds a pooled connection
 * per check). A refusal or an error answer is down at once; silence is down once it has lasted
 * longer than tolerated, or at once when the dependency never answered.
 */
export class TimedProbe {
  readonly #ask: () => Promise<string | undefined>;
  readonly #timeoutMs: number;
  readonly #silent: (error: Error) => boolean;
  readonly #describe: (reason: string, timedOut: boolean) => string;
  readonly #toleratedMs: number;
  #answeredBefore = false;
  /** When the current run of unanswered checks began. */
  #silentSince: number | undefined;
  #inFlight: Promise<string | undefined> | undefined;

  /** `ask` resolves when the dependency answers, with why it is down when its answer says so. */
  constructor(ask: () => Promise<string | undefined>, options: TimedProbeOptions = {}) {
    this.#ask = ask;
    this.#timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
    this.#toleratedMs = options.silenceToleratedMs ?? SILENCE_TOLERATED_MS;
    this.#silent = options.silent ?? (() => false);
    this.#describe = options.describe ?? ((reason) => reason);
  }

  async check(): Promise<ProbeResult> {
    this.#inFlight ??= this.#ask().finally(() => {
      this.#inFlight = undefined;
    });
    try {
      await withinTime(
        this.#inFlight,
        this.#timeoutMs,
        () => new NoAnswer(`no answer within ${this.#timeoutMs} ms`),
      );
      this.#answeredBefore = true;
      this.#silentSince = undefined;
      return { ok: true };
    } catch (error) {
      const timedOut = error instanceof NoAnswer;
      const now = Date.now();
      this.#silentSince ??= now;
      const tolerated = this.#answeredBefore && now - this.#silentSince < this.#toleratedMs;
      if ((timedOut || this.#silent(error as Error)) && tolerated) return { ok: true };
      return { ok: false, error: this.#describe((error as Error).message, timedOut) };
    }
  }
}

/**
 * A probe of a dependency's ping, whose own errors name the dependency; when the probe gives up
 * waiting, its error is named `what`.
 */
export function pingProbe(
  what: string,
  ping: () => Promise<void>,
  options: Pick<TimedProbeOptions, 'silenceToleratedMs' | 'silent'> = {},
): TimedProbe {
  const ask = async () => {
    await ping();
    return undefined;
  };
  return new TimedProbe(ask, {
    ...options,
    describe: (reason, timedOut) => (timedOut ? `${what}: ${reason}` : reason),
  });
}
