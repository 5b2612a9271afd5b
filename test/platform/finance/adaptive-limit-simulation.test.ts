import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdaptiveLimit, type Permit } from '../../../src/platform/finance/adaptive-limit.ts';
import { retryDelayMs } from '../../../src/platform/finance/retry-policy.ts';

/**
 * A finance that admits `capacity` imports at once, each taking `latencyMs` (± 10 %), and answers
 * 429 at once above that (with `Retry-After` when given), as the reference server's
 * `concurrencyLimit` fault does; a client with an endless backlog takes its permits from the limit
 * and retries a refused call as the finance client does (holding its slot, waiting Retry-After or
 * the retry policy's backoff). Virtual time: `durationMs` runs in milliseconds of CPU.
 */
interface Scenario {
  capacity: number;
  latencyMs: number;
  retryAfterSeconds: number | null;
  /** FINANCE_RETRY_MIN_DELAY_MS: 200 by default, 20 in the integration tests. */
  retryMinDelayMs: number;
  durationMs: number;
  seed: number;
}

interface Run {
  /** Imports finished after the warm-up, per second. */
  perSecond: number;
  /** 429s among the answers after the warm-up. */
  overloadShare: number;
  /** Smallest and largest limit over the last half, and the share of that time spent in [C - 1, C]. */
  lastHalf: { min: number; max: number; inBand: number };
}

const WARM_UP_MS = 10_000;
const MAX_IN_FLIGHT = 64;
const RETRY = { maxRetries: 1_000, maxDelayMs: 5_000 };

class Timeline {
  now = 0;
  /** Pending events by time; those at the same time in the order they were scheduled. */
  readonly #events: { at: number; run: () => void }[] = [];

  at(at: number, run: () => void): void {
    let low = 0;
    let high = this.#events.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.#events[mid]?.at ?? 0) <= at) low = mid + 1;
      else high = mid;
    }
    this.#events.splice(low, 0, { at, run });
  }

  runUntil(end: number, afterEach: () => void): void {
    for (;;) {
      const next = this.#events.shift();
      if (next === undefined || next.at > end) return;
      this.now = next.at;
      next.run();
      afterEach();
    }
  }
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}

function simulate(scenario: Scenario): Run {
  const time = new Timeline();
  const draw = random(scenario.seed);
  const limit = new AdaptiveLimit({ max: MAX_IN_FLIGHT, now: () => time.now });
  const counts = { done: 0, answers: 0, refused: 0 };
  const half = scenario.durationMs / 2;
  const band = { min: Number.POSITIVE_INFINITY, max: 0, inBandMs: 0, lastAt: half };
  let serverInFlight = 0;
  let wakeAt = -1;
  const retries: { permit: Permit; go: () => void }[] = [];
  const counted = () => time.now >= WARM_UP_MS;

  const attempt = (permit: Permit, startedAt: number, tries: number) => {
    if (counted()) counts.answers++;
    if (serverInFlight >= scenario.capacity) {
      if (counted()) counts.refused++;
      const retryAfter = scenario.retryAfterSeconds ?? undefined;
      const retryAfterMs = retryAfter === undefined ? undefined : retryAfter * 1000;
      time.at(time.now + 1, () => {
        permit.overload({ status: 429, retryAfterMs });
        const delay = retryDelayMs(
          { attempt: tries, statusCode: 429, retryAfter: retryAfter?.toString() },
          { ...RETRY, minDelayMs: scenario.retryMinDelayMs },
          draw,
        );
        permit.pause();
        time.at(time.now + (delay ?? 0), () =>
          retries.push({ permit, go: () => attempt(permit, startedAt, tries + 1) }),
        );
      });
      return;
    }
    serverInFlight++;
    const latency = scenario.latencyMs * (0.9 + 0.2 * draw());
    time.at(time.now + latency, () => {
      serverInFlight--;
      if (counted()) counts.done++;
      permit.done({ kind: 'ok', latencyMs: time.now - startedAt });
    });
  };

  const pump = () => {
    // Retries first, as the limit wakes them ahead of new calls.
    while (retries.length > 0 && retries[0]?.permit.tryResume()) retries.shift()?.go();
    for (let permit = limit.tryAcquire(); permit; permit = limit.tryAcquire()) {
      attempt(permit, time.now, 1);
    }
    const gate = limit.gateMs();
    if (gate > 0 && wakeAt < time.now + gate) {
      wakeAt = time.now + gate;
      time.at(wakeAt, () => undefined);
    }
  };

  const watch = () => {
    if (time.now < half) return;
    const { capacity } = scenario;
    if (limit.limit >= capacity - 1 && limit.limit <= capacity) band.inBandMs += time.now - band.lastAt;
    band.lastAt = time.now;
    band.min = Math.min(band.min, limit.limit);
    band.max = Math.max(band.max, limit.limit);
  };

  pump();
  time.runUntil(scenario.durationMs, () => {
    watch();
    pump();
  });
  return {
    perSecond: counts.done / ((scenario.durationMs - WARM_UP_MS) / 1000),
    overloadShare: counts.refused / Math.max(1, counts.answers),
    lastHalf: { min: band.min, max: band.max, inBand: band.inBandMs / half },
  };
}

const ceilingOf = (s: Scenario) => s.capacity / (s.latencyMs / 1000);

describe('adaptive limit against a simulated finance that admits C imports at once', () => {
  it.each([
    { capacity: 4, retryAfterSeconds: 1 },
    { capacity: 4, retryAfterSeconds: null },
    { capacity: 16, retryAfterSeconds: 1 },
    { capacity: 16, retryAfterSeconds: null },
  ])(
    'C = $capacity, Retry-After $retryAfterSeconds: settles at C, ≥ 85 % of C ÷ latency, < 2 % refused',
    (row) => {
      const scenario = { ...row, latencyMs: 20, retryMinDelayMs: 200, durationMs: 60_000, seed: 7 };
      const run = simulate(scenario);
      expect(run.perSecond).toBeGreaterThanOrEqual(0.85 * ceilingOf(scenario));
      expect(run.overloadShare).toBeLessThan(0.02);
      expect(run.lastHalf.min).toBeGreaterThanOrEqual(row.capacity - 1);
      expect(run.lastHalf.max).toBeLessThanOrEqual(row.capacity + 1); // C + 1: a probe
      expect(run.lastHalf.inBand).toBeGreaterThan(0.95);
    },
  );

  it('converges for any capacity, latency and Retry-After', () => {
    const scenarios = fc.record({
      capacity: fc.integer({ min: 2, max: 40 }),
      latencyMs: fc.integer({ min: 5, max: 200 }),
      retryAfterSeconds: fc.constantFrom(null, 0, 1, 2),
      retryMinDelayMs: fc.constantFrom(20, 200),
      durationMs: fc.constant(60_000),
      seed: fc.integer({ min: 1, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const run = simulate(scenario);
        expect(run.overloadShare).toBeLessThan(0.02);
        expect(run.perSecond).toBeGreaterThanOrEqual(0.85 * ceilingOf(scenario));
        expect(run.lastHalf.min).toBeGreaterThanOrEqual(scenario.capacity - 1);
        expect(run.lastHalf.max).toBeLessThanOrEqual(scenario.capacity + 1);
      }),
      { numRuns: 25 },
    );
  });
});
