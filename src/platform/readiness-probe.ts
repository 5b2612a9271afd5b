import { withinTime } from './time-limit.ts';

/** What one readiness check reports: the database's, the registry's and the brokers'. */
export interface ProbeResult {
  ok: boolean;
  error?: string;
}

/** A check answers within this, whatever its dependency does: /readyz must answer a kubelet in time. */
export const PROBE_TIMEOUT_MS = 2_000;

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
  silenceToleratedMs?: number | undefined;
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
 * per check); one hung for 5 × `timeoutMs` is left behind for a new one. A refusal or an error
 * answer is down at once; silence is down once it has lasted longer than tolerated, or at once when
 * the dependency never answered.
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
  #inFlightSince = 0;
  readonly #abandonAfterMs: number;

  /** `ask` resolves when the dependency answers, with why it is down when its answer says so. */
  constructor(ask: () => Promise<string | undefined>, options: TimedProbeOptions = {}) {
    this.#ask = ask;
    this.#timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
    this.#abandonAfterMs = 5 * this.#timeoutMs;
    this.#toleratedMs = options.silenceToleratedMs ?? SILENCE_TOLERATED_MS;
    this.#silent = options.silent ?? (() => false);
    this.#describe = options.describe ?? ((reason) => reason);
  }

  async check(): Promise<ProbeResult> {
    const now = Date.now();
    // A request hung for good (a connection gone silent) is left behind after a while: a new one may
    // find the dependency on another connection. At most one such request per `abandonAfterMs`.
    if (this.#inFlight && now - this.#inFlightSince >= this.#abandonAfterMs) this.#inFlight = undefined;
    if (!this.#inFlight) {
      const asked: Promise<string | undefined> = this.#ask().finally(() => {
        if (this.#inFlight === asked) this.#inFlight = undefined;
      });
      this.#inFlight = asked;
      this.#inFlightSince = now;
    }
    try {
      const downBecause = await withinTime(
        this.#inFlight,
        this.#timeoutMs,
        () => new NoAnswer(`no answer within ${this.#timeoutMs} ms`),
      );
      if (downBecause !== undefined) return { ok: false, error: this.#describe(downBecause, false) };
      this.#answeredBefore = true;
      this.#silentSince = undefined;
      return { ok: true };
    } catch (error) {
      const timedOut = error instanceof NoAnswer;
      const failedAt = Date.now();
      this.#silentSince ??= failedAt;
      const tolerated = this.#answeredBefore && failedAt - this.#silentSince < this.#toleratedMs;
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
