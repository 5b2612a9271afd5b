import { RecentLatencies } from './recent-latencies.ts';

/**
 * Adaptive concurrency toward finance: AIMD with probe back-off. AIMD as in Netflix's
 * concurrency-limits (`AIMDLimit`) and TCP's congestion avoidance: in-flight calls grow by about one
 * per four full rounds while answers come back near the latency floor and the limit is used, and
 * shrink by a quarter on overload (429, 503, timeouts; at most once per round trip) or by a tenth
 * when the median latency climbs well above its floor.
 *
 * Slow start (×1.5 a round) lasts until finance first refuses a call; a latency rise pauses it at that
 * level, and a call made with that many in flight coming back in tolerance resumes it (a passing stall,
 * as HyStart++'s spurious exit, RFC 9406), so a limit left low by light traffic meets a flood fast.
 *
 * Probe back-off: plain AIMD keeps probing above what finance admits, and against a finance that
 * sheds load at a fixed number of imports in flight every probe draws a 429, again and again. So
 * the level that drew overload is remembered as the ceiling. Below it the limit grows freely; going
 * back up to it is a probe, allowed only after a back-off (1 s, doubled after every probe that draws
 * overload again, up to 30 s). A probe that fails puts the limit back one below the ceiling (that
 * level worked; no multiplicative decrease); a probe that holds for two rounds raises the ceiling by
 * one and resets the back-off, so a finance that gained capacity is found one level at a time.
 * Overload below the ceiling means capacity dropped: multiplicative decrease, and that level is
 * the new ceiling.
 *
 * `Retry-After` is honoured for the request that carried it (its retry waits that long, see
 * `retry-policy.ts`). It holds every new call (a gate) only when finance says it is out of
 * capacity: on a 503, or when it is the third overload in a row with no success between. A lone
 * 429 drawn by a probe, or one among successes, slows only its own call.
 *
 * A refused call waiting for its retry holds no slot (`pause`, then `resume` ahead of new calls);
 * its retry, refused again after the limit went down, is a new signal. Pure state and a wait queue;
 * time comes from `now`. Overload seen mid-call is reported at once with the permit's `overload()`.
 */
export interface AdaptiveLimitOptions {
  /** Upper bound (PUSHER_MAX_IN_FLIGHT). */
  max: number;
  /** Where the limit starts; it grows from here while latency stays near its floor. */
  initial?: number;
  now?: () => number;
  /** Called whenever the limit changes (for the metric). */
  onChange?: (limit: number) => void;
}

/** What finance said when it refused a call: its status (none for a timeout) and Retry-After. */
export interface OverloadSignal {
  status?: number;
  retryAfterMs?: number;
}

export type CallOutcome =
  | { kind: 'ok'; latencyMs: number }
  | ({ kind: 'overload' } & OverloadSignal)
  | { kind: 'other' };

/** A granted call: report how it went exactly once. */
export interface Permit {
  done(outcome: CallOutcome): void;
  /**
   * Finance refused this call's attempt; the call will retry. Learnt at once, as a new signal when
   * the attempt went out after the last decrease (a retry sent at the lower limit and refused again).
   */
  overload(signal: OverloadSignal): void;
  /** Gives the slot back while the call waits for its retry (a refused call is not in flight). */
  pause(): void;
  /** Takes a slot again for the retry, waiting for the gate and a free slot; false once `done`. */
  resume(): Promise<boolean>;
  /** `resume` without waiting: true when the slot was taken now. */
  tryResume(): boolean;
}

const BACKOFF_RATIO = 0.75; // multiplicative decrease on overload below the ceiling
const LATENCY_BACKOFF_RATIO = 0.9; // gentler decrease when latency alone rises
const PROBE_STEP = 2; // each call made with the limit at least half used adds 1/(2 × limit): about +1 per 4 full rounds
const LATENCY_TOLERANCE = 2; // latency above 2 × floor ...
const LATENCY_SLACK_MS = 20; // ... and 20 ms over it counts as queueing, not noise ...
const LATENCY_WINDOW_MIN = 8; // ... when it is the median of the last max(8, limit) calls: one stall is not a trend
const FLOOR_RESET_CALLS = 1_000; // re-learn the floor now and then: finance may have become faster or slower
const PROBE_BACKOFF_MIN_MS = 1_000; // first wait before probing the ceiling again
const PROBE_BACKOFF_MAX_MS = 30_000; // longest: a finance that gained capacity is noticed within half a minute
const PROBE_ROUNDS = 2; // rounds at the ceiling without overload that make it a level that works
const OUT_OF_CAPACITY_IN_A_ROW = 3; // overloads in a row, no success between, that make Retry-After hold every call

export class AdaptiveLimit {
  readonly #max: number;
  readonly #now: () => number;
  readonly #onChange: (limit: number) => void;
  readonly #waiters: (() => void)[] = [];
  #limit: number;
  #inFlight = 0;
  #floorMs = Number.POSITIVE_INFINITY;
  #callsSinceFloor = 0;
  /** Latencies of the last calls, whose median the latency guard reads. */
  readonly #recent = new RecentLatencies();
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;
  #lastOverloadAt = Number.NEGATIVE_INFINITY;
  #overloadsInARow = 0;
  #gateUntil = 0;
  /** The lowest level that drew overload and has not been shown to work since (none yet: infinite). */
  #ceiling = Number.POSITIVE_INFINITY;
  #probeBackoffMs = PROBE_BACKOFF_MIN_MS;
  /** When the limit may grow back to the ceiling. */
  #probeAt = 0;
  /** Successful calls made with the ceiling's number of calls in flight, since it was set. */
  #probeSuccesses = 0;
  /** Slow start below this level: the level latency rose at (∞ before, and once it proves spurious; 0 after an overload). */
  #slowStartBelow = Number.POSITIVE_INFINITY;

  constructor(options: AdaptiveLimitOptions) {
    this.#max = options.max;
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange ?? (() => undefined);
    this.#limit = Math.min(options.max, options.initial ?? Math.min(options.max, 4));
    this.#onChange(this.limit);
  }

  /** The whole-number limit in force. */
  get limit(): number {
    return Math.max(1, Math.floor(this.#limit));
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** The remembered ceiling (Infinity before the first overload), for tests and diagnostics. */
  get ceiling(): number {
    return this.#ceiling;
  }

  /** Milliseconds until the Retry-After gate opens (0 when open). */
  gateMs(): number {
    return Math.max(0, this.#gateUntil - this.#now());
  }

  /** Waits for the gate and a free slot. */
  async acquire(): Promise<Permit> {
    for (;;) {
      const permit = this.tryAcquire();
      if (permit) return permit;
      await this.#waitForTurn(false);
    }
  }

  /** A permit now when the gate is open and a slot is free; otherwise undefined. */
  tryAcquire(): Permit | undefined {
    return this.#mayStart() ? this.#grant() : undefined;
  }

  #mayStart(): boolean {
    return this.gateMs() === 0 && this.#inFlight < this.limit;
  }

  /** Until the gate opens, or until a slot may be free; a retry waits ahead of new calls. */
  async #waitForTurn(retry: boolean, registered?: (wake: () => void) => void): Promise<void> {
    const wait = this.gateMs();
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      return;
    }
    await new Promise<void>((resolve) => {
      if (retry) this.#waiters.unshift(resolve);
      else this.#waiters.push(resolve);
      registered?.(resolve);
    });
  }

  #grant(): Permit {
    this.#inFlight++;
    const startedAt = this.#now();
    const inFlightAtStart = this.#inFlight;
    let attemptAt = startedAt;
    let holding = true;
    let reported = false;
    let waiting: (() => void) | undefined;
    const tryResume = () => {
      if (reported || holding || !this.#mayStart()) return false;
      holding = true;
      this.#inFlight++;
      attemptAt = this.#now();
      return true;
    };
    return {
      done: (outcome) => {
        if (reported) return;
        reported = true;
        if (holding) this.#inFlight--;
        holding = false;
        if (waiting) this.#forget(waiting);
        if (outcome.kind === 'overload') this.#overloaded(attemptAt, outcome);
        else this.#learn(outcome, startedAt, inFlightAtStart);
        this.#wakeUp();
      },
      overload: (signal) => {
        if (!reported) this.#overloaded(attemptAt, signal);
      },
      pause: () => {
        if (reported || !holding) return;
        holding = false;
        this.#inFlight--;
        this.#wakeUp();
      },
      tryResume,
      resume: async () => {
        while (!reported && !tryResume()) {
          await this.#waitForTurn(true, (wake) => {
            waiting = wake;
          });
          waiting = undefined;
        }
        return !reported;
      },
    };
  }

  /** Takes a waiter out of the queue (its call ended), so a wake-up is not spent on it. */
  #forget(waiter: () => void): void {
    const at = this.#waiters.indexOf(waiter);
    if (at >= 0) this.#waiters.splice(at, 1);
    waiter();
  }

  /**
   * Finance refused some call (429, 503, a timeout) whose permit is not at hand: learn from it now
   * (once per latency floor, so one burst is one signal). A permit's own `overload` is more precise.
   */
  overload(signal: OverloadSignal = {}): void {
    const cooldownMs = Number.isFinite(this.#floorMs) ? Math.max(1, this.#floorMs) : 100;
    this.#overloaded(this.#now() - cooldownMs, signal);
  }

  #learn(outcome: CallOutcome, startedAt: number, inFlightAtStart: number): void {
    if (outcome.kind === 'ok') {
      this.#overloadsInARow = 0;
      // A call that lived through an overload (its latency includes retries) teaches nothing.
      if (this.#lastOverloadAt < startedAt) this.#observe(outcome.latencyMs, startedAt, inFlightAtStart);
    }
  }

  #overloaded(startedAt: number, signal: OverloadSignal): void {
    const now = this.#now();
    this.#lastOverloadAt = now;
    this.#overloadsInARow++;
    const outOfCapacity = signal.status === 503 || this.#overloadsInARow >= OUT_OF_CAPACITY_IN_A_ROW;
    if (signal.retryAfterMs !== undefined && outOfCapacity) {
      this.#gateUntil = Math.max(this.#gateUntil, now + signal.retryAfterMs);
    }
    this.#slowStartBelow = 0;
    if (startedAt < this.#lastDecreaseAt) return; // one lesson per round trip
    const level = this.limit;
    if (level >= this.#ceiling) {
      // The probe failed: back to the level that worked, and wait longer before the next one.
      this.#probeBackoffMs = Math.min(PROBE_BACKOFF_MAX_MS, this.#probeBackoffMs * 2);
      this.#setLimit(Math.min(this.#limit, this.#ceiling - 1));
    } else {
      // Overload below the ceiling: finance can take less than before.
      this.#ceiling = level;
      this.#probeBackoffMs = PROBE_BACKOFF_MIN_MS;
      this.#setLimit(Math.min(this.#limit * BACKOFF_RATIO, level - 1));
    }
    this.#probeAt = now + this.#probeBackoffMs;
    this.#probeSuccesses = 0;
    this.#lastDecreaseAt = now;
  }

  #observe(latencyMs: number, startedAt: number, inFlightAtStart: number): void {
    if (++this.#callsSinceFloor > FLOOR_RESET_CALLS) {
      this.#floorMs = latencyMs;
      this.#callsSinceFloor = 0;
    }
    this.#floorMs = Math.min(this.#floorMs, latencyMs);
    const tolerated = this.#floorMs * LATENCY_TOLERANCE + LATENCY_SLACK_MS;
    if (this.#recent.add(latencyMs, Math.max(LATENCY_WINDOW_MIN, Math.ceil(this.#limit))) > tolerated) {
      if (startedAt < this.#lastDecreaseAt) return; // one decrease per round trip
      this.#slowStartBelow = Math.min(this.#slowStartBelow, this.limit);
      this.#setLimit(this.#limit * LATENCY_BACKOFF_RATIO);
      this.#lastDecreaseAt = this.#now();
      return;
    }
    const stallPassed =
      this.#slowStartBelow > 0 &&
      inFlightAtStart >= this.#slowStartBelow &&
      startedAt >= this.#lastDecreaseAt &&
      latencyMs <= tolerated;
    if (stallPassed) this.#slowStartBelow = Number.POSITIVE_INFINITY;
    const probed = inFlightAtStart >= this.#ceiling && startedAt >= this.#lastDecreaseAt;
    if (probed && ++this.#probeSuccesses >= PROBE_ROUNDS * this.#ceiling) {
      // The ceiling held for two rounds: it works; the next level up is the next probe.
      this.#ceiling++;
      this.#probeSuccesses = 0;
      this.#probeBackoffMs = PROBE_BACKOFF_MIN_MS;
    }
    // Grow only while the limit is used (as Netflix's AIMD: in flight at least half of it), never on
    // an idle pipe, or the limit would drift to the maximum without ever being tested. Below the slow
    // start level grow like TCP's slow start (about ×1.5 per round), above it additively.
    if (inFlightAtStart * 2 >= this.limit) {
      const step = this.#limit < this.#slowStartBelow ? 1 : 1 / (PROBE_STEP * this.#limit);
      this.#setLimit(Math.max(this.#limit, Math.min(this.#limit + step, this.#growthCap())));
    }
  }

  /** How far the limit may grow now: one below the ceiling, or up to it once the probe back-off passed. */
  #growthCap(): number {
    if (!Number.isFinite(this.#ceiling)) return this.#max;
    const probing = this.#now() >= this.#probeAt;
    return Math.min(this.#max, Math.max(1, probing ? this.#ceiling : this.#ceiling - 1));
  }

  #setLimit(next: number): void {
    const before = this.limit;
    this.#limit = Math.min(this.#max, Math.max(1, next));
    if (this.limit !== before) this.#onChange(this.limit);
  }

  /** Wakes as many waiters as there are free slots; each re-checks the gate and the limit itself. */
  #wakeUp(): void {
    for (let free = this.limit - this.#inFlight; free > 0 && this.#waiters.length > 0; free--) {
      this.#waiters.shift()?.();
    }
  }
}
