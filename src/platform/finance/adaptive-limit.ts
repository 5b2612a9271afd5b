/**
 * Adaptive concurrency toward finance: AIMD, as in Netflix's concurrency-limits (`AIMDLimit`), with
 * a latency guard from its gradient limits. In-flight calls grow slowly while answers come back near
 * the latency floor and the limit is actually used; they shrink on overload (429, 503, timeouts) and
 * on latency well above the floor. At most one decrease per round trip: the calls that started before
 * the last decrease all saw the old limit, so their overloads are one signal, not many. Overload
 * seen mid-call (a 429 the HTTP client then retried) is reported at once with `overload()`, which
 * decreases at most once per latency floor.
 *
 * Pure state and a wait queue; time comes from `now`. `Retry-After` from any call closes a gate every
 * new call waits at, so one server's request to slow down slows every call, not just the one.
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

export type CallOutcome =
  | { kind: 'ok'; latencyMs: number }
  | { kind: 'overload'; retryAfterMs?: number }
  | { kind: 'other' };

/** A granted call: report how it went exactly once. */
export interface Permit {
  done(outcome: CallOutcome): void;
}

const BACKOFF_RATIO = 0.75; // multiplicative decrease on overload
const LATENCY_BACKOFF_RATIO = 0.9; // gentler decrease when latency alone rises
const PROBE_STEP = 2; // each call made with the limit at least half used adds 1/(2 × limit): about +1 per 4 full rounds
const LATENCY_TOLERANCE = 2; // latency above 2 × floor ...
const LATENCY_SLACK_MS = 20; // ... and 20 ms over it counts as queueing, not noise ...
const LATENCY_WINDOW_MIN = 8; // ... when it is the median of the last max(8, limit) calls: one stall is not a trend
const FLOOR_RESET_CALLS = 1_000; // re-learn the floor now and then: finance may have become faster or slower

export class AdaptiveLimit {
  readonly #max: number;
  readonly #now: () => number;
  readonly #onChange: (limit: number) => void;
  readonly #waiters: (() => void)[] = [];
  #limit: number;
  #inFlight = 0;
  #floorMs = Number.POSITIVE_INFINITY;
  #callsSinceFloor = 0;
  /** Latencies of the last calls, oldest first, whose median the latency guard reads. */
  readonly #recent: number[] = [];
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;
  #lastOverloadAt = Number.NEGATIVE_INFINITY;
  #gateUntil = 0;

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

  /** Milliseconds until the Retry-After gate opens (0 when open). */
  gateMs(): number {
    return Math.max(0, this.#gateUntil - this.#now());
  }

  /** Waits for the gate and a free slot. */
  async acquire(): Promise<Permit> {
    for (;;) {
      const wait = this.gateMs();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      else if (this.#inFlight < this.limit) break;
      else await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#inFlight++;
    const startedAt = this.#now();
    const inFlightAtStart = this.#inFlight;
    let reported = false;
    return {
      done: (outcome) => {
        if (reported) return;
        reported = true;
        this.#inFlight--;
        this.#learn(outcome, startedAt, inFlightAtStart);
        this.#wakeUp();
      },
    };
  }

  /**
   * Finance said it is overloaded (429, 503, a timeout) on some call, possibly one still retrying:
   * shrink now (once per latency floor, so one burst is one signal) and honour its Retry-After.
   */
  overload(retryAfterMs?: number): void {
    const now = this.#now();
    this.#lastOverloadAt = now;
    if (retryAfterMs !== undefined) this.#gateUntil = Math.max(this.#gateUntil, now + retryAfterMs);
    const cooldownMs = Number.isFinite(this.#floorMs) ? Math.max(1, this.#floorMs) : 100;
    this.#decrease(now - cooldownMs, BACKOFF_RATIO);
  }

  #learn(outcome: CallOutcome, startedAt: number, inFlightAtStart: number): void {
    if (outcome.kind === 'overload') {
      if (outcome.retryAfterMs !== undefined) {
        this.#gateUntil = Math.max(this.#gateUntil, this.#now() + outcome.retryAfterMs);
      }
      this.#lastOverloadAt = this.#now();
      this.#decrease(startedAt, BACKOFF_RATIO);
    } else if (outcome.kind === 'ok' && this.#lastOverloadAt < startedAt) {
      // A call that lived through an overload (its latency includes retries) teaches nothing.
      this.#observe(outcome.latencyMs, startedAt, inFlightAtStart);
    }
  }

  #observe(latencyMs: number, startedAt: number, inFlightAtStart: number): void {
    if (++this.#callsSinceFloor > FLOOR_RESET_CALLS) {
      this.#floorMs = latencyMs;
      this.#callsSinceFloor = 0;
    }
    this.#floorMs = Math.min(this.#floorMs, latencyMs);
    if (this.#recentMedian(latencyMs) > this.#floorMs * LATENCY_TOLERANCE + LATENCY_SLACK_MS) {
      this.#decrease(startedAt, LATENCY_BACKOFF_RATIO);
      return;
    }
    // Grow only while the limit is used (as Netflix's AIMD: in flight at least half of it), never on
    // an idle pipe, or the limit would drift to the maximum without ever being tested. Until the first
    // sign of overload, grow like TCP's slow start (about ×1.5 per round), then additively.
    if (inFlightAtStart * 2 >= this.limit) {
      const before = this.limit;
      const step = this.#lastDecreaseAt === Number.NEGATIVE_INFINITY ? 1 : 1 / (PROBE_STEP * this.#limit);
      this.#limit = Math.min(this.#max, this.#limit + step);
      if (this.limit !== before) this.#onChange(this.limit);
    }
  }

  /**
   * Adds a latency to the recent ones and returns their median. A one-off slow answer (a pause of
   * finance's or of this process's, common on a busy host) then shrinks nothing; a finance whose
   * answers all slow down moves the median within half a window.
   */
  #recentMedian(latencyMs: number): number {
    const size = Math.max(LATENCY_WINDOW_MIN, Math.ceil(this.#limit));
    this.#recent.push(latencyMs);
    while (this.#recent.length > size) this.#recent.shift();
    const sorted = this.#recent.toSorted((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] as number;
  }

  #decrease(startedAt: number, ratio: number): void {
    if (startedAt < this.#lastDecreaseAt) return; // one decrease per round trip
    const before = this.limit;
    this.#limit = Math.max(1, this.#limit * ratio);
    this.#lastDecreaseAt = this.#now();
    if (this.limit !== before) this.#onChange(this.limit);
  }

  /** Wakes as many waiters as there are free slots; each re-checks the gate and the limit itself. */
  #wakeUp(): void {
    for (let free = this.limit - this.#inFlight; free > 0 && this.#waiters.length > 0; free--) {
      this.#waiters.shift()?.();
    }
  }
}
