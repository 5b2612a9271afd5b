import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from '../../../src/platform/finance/adaptive-limit.ts';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Runs `rounds` full rounds: `limit` calls start together and all end `latencyMs` later. */
async function rounds(limit: AdaptiveLimit, time: ReturnType<typeof clock>, count: number, latencyMs = 10) {
  for (let i = 0; i < count; i++) {
    const permits = await Promise.all(Array.from({ length: limit.limit }, () => limit.acquire()));
    time.advance(latencyMs);
    for (const permit of permits) permit.done({ kind: 'ok', latencyMs });
  }
}

describe('adaptive concurrency limit (AIMD)', () => {
  it('grows fast until the first overload, then slowly, while latency stays at its floor and the limit is used', async () => {
    const time = clock();
    const seen: number[] = [];
    const limit = new AdaptiveLimit({ max: 12, initial: 4, now: time.now, onChange: (l) => seen.push(l) });
    await rounds(limit, time, 3);
    expect(limit.limit).toBeGreaterThanOrEqual(10); // slow start: about ×1.5 per round
    const refused = await limit.acquire();
    refused.done({ kind: 'overload' });
    const after = limit.limit;
    await rounds(limit, time, 4);
    expect(limit.limit).toBeLessThanOrEqual(after + 1); // additive now: about +1 per 4 rounds
    await rounds(limit, time, 200);
    expect(limit.limit).toBe(12);
    expect(seen[0]).toBe(4);
  });

  it('resumes slow start once the level latency rose at answers in tolerance again: the rise was a passing stall', async () => {
    const time = clock();
    const limit = new AdaptiveLimit({ max: 64, initial: 8, now: time.now });
    await rounds(limit, time, 1, 10);
    await rounds(limit, time, 1, 100); // a stall of this process: the limit shrinks a tenth
    const shrunk = limit.limit;
    expect(shrunk).toBeLessThan(16);
    await rounds(limit, time, 6, 10);
    expect(limit.limit).toBeGreaterThanOrEqual(48); // slow start again, not +1 per four rounds
  });

  it('stays near the level latency rises at while it keeps rising there', async () => {
    const time = clock();
    const limit = new AdaptiveLimit({ max: 64, initial: 8, now: time.now });
    await rounds(limit, time, 1, 10);
    for (let i = 0; i < 20; i++) {
      const permits = await Promise.all(Array.from({ length: limit.limit }, () => limit.acquire()));
      const latencyMs = permits.length >= 12 ? 100 : 10; // finance queues beyond 12 at once
      time.advance(latencyMs);
      for (const permit of permits) permit.done({ kind: 'ok', latencyMs });
    }
    expect(limit.limit).toBeLessThanOrEqual(14);
  });

  it('shrinks by a quarter on overload, once per round trip however many calls of the round were refused', async () => {
    const time = clock();
    const limit = new AdaptiveLimit({ max: 16, initial: 8, now: time.now });
    const permits = await Promise.all(Array.from({ length: 8 }, () => limit.acquire()));
    time.advance(5);
    for (const permit of permits) permit.done({ kind: 'overload' });
    expect(limit.limit).toBe(6);
    const next = await limit.acquire();
    time.advance(5);
    next.done({ kind: 'overload' });
    expect(limit.limit).toBe(4); // a call that started after the decrease is a new signal
  });

  it('shrinks when latency rises well above its floor', async () => {
    const time = clock();
    const limit = new AdaptiveLimit({ max: 10, initial: 10, now: time.now });
    await rounds(limit, time, 1, 10);
    await rounds(limit, time, 1, 100);
    expect(limit.limit).toBe(9);
  });

  it('does not shrink for a few slow answers among fast ones: a pause is not a trend', async () => {
    const time = clock();
    const limit = new AdaptiveLimit({ max: 10, initial: 10, now: time.now });
    await rounds(limit, time, 2, 10);
    const permits = await Promise.all(Array.from({ length: 10 }, () => limit.acquire()));
    time.advance(100);
    for (const [i, permit] of permits.entries()) permit.done({ kind: 'ok', latencyMs: i < 4 ? 100 : 10 });
    expect(limit.limit).toBe(10);
  });

  it('never goes below one nor above the maximum', async () => {
    const time = clock();
    const limit = new AdaptiveLimit({ max: 3, initial: 1, now: time.now });
    for (let i = 0; i < 10; i++) {
      const permit = await limit.acquire();
      time.advance(1);
      permit.done({ kind: 'overload' });
    }
    expect(limit.limit).toBe(1);
    await rounds(limit, time, 1_000, 100); // long enough for the longest probe back-off
    expect(limit.limit).toBe(3);
  });

  it('makes calls wait for a free slot', async () => {
    const limit = new AdaptiveLimit({ max: 2, initial: 2 });
    const first = await limit.acquire();
    await limit.acquire();
    let third = false;
    const waiting = limit.acquire().then((permit) => {
      third = true;
      return permit;
    });
    await Promise.resolve();
    expect([third, limit.inFlight]).toEqual([false, 2]);
    first.done({ kind: 'ok', latencyMs: 1 });
    (await waiting).done({ kind: 'other' });
    expect(third).toBe(true);
  });

  it('lets a lone 429 with Retry-After slow only its own call', async () => {
    const time = clock();
    const limit = new AdaptiveLimit({ max: 4, initial: 4, now: time.now });
    await rounds(limit, time, 1);
    limit.overload({ status: 429, retryAfterMs: 1_000 });
    expect(limit.gateMs()).toBe(0);
    await rounds(limit, time, 1); // a success between: the next 429s start a new run
    limit.overload({ status: 429, retryAfterMs: 1_000 });
    limit.overload({ status: 429, retryAfterMs: 1_000 });
    expect(limit.gateMs()).toBe(0);
  });

  it('holds every new call at the gate when finance is out of capacity: three overloads in a row, or a 503', async () => {
    const time = clock();
    const limit = new AdaptiveLimit({ max: 4, initial: 4, now: time.now });
    for (let i = 0; i < 3; i++) limit.overload({ status: 429, retryAfterMs: 1_000 });
    expect(limit.gateMs()).toBe(1_000);
    expect(limit.tryAcquire()).toBeUndefined();
    time.advance(1_000);
    const permit = limit.tryAcquire();
    permit?.done({ kind: 'ok', latencyMs: 10 });
    limit.overload({ status: 503, retryAfterMs: 2_000 });
    expect(limit.gateMs()).toBe(2_000);
  });

  it('waits out the gate with real time in acquire', async () => {
    const limit = new AdaptiveLimit({ max: 4, initial: 4 });
    limit.overload({ status: 503, retryAfterMs: 150 });
    const startedAt = Date.now();
    const permit = await limit.acquire();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
    permit.done({ kind: 'other' });
  });
});

describe('adaptive limit: probe back-off', () => {
  /** A limit of 8 whose first call is refused: ceiling 8, limit 6 (a quarter less), at time 0. */
  async function refusedAtEight() {
    const time = clock();
    const limit = new AdaptiveLimit({ max: 64, initial: 8, now: time.now });
    const refused = await limit.acquire();
    refused.done({ kind: 'overload', status: 429 });
    expect([limit.ceiling, limit.limit]).toEqual([8, 6]);
    return { time, limit };
  }

  it('remembers the level that drew overload and grows back only to one below it until the back-off passed', async () => {
    const { time, limit } = await refusedAtEight();
    await rounds(limit, time, 45, 20); // 0.9 s
    expect(limit.limit).toBe(7);
    await rounds(limit, time, 10, 20); // past 1 s: the probe at 8
    expect(limit.limit).toBe(8);
  });

  it('after a probe that fails, goes back to the level that worked and waits twice as long before the next', async () => {
    const { time, limit } = await refusedAtEight();
    await rounds(limit, time, 55, 20);
    expect(limit.limit).toBe(8);
    limit.overload({ status: 429 }); // the probe is refused
    expect([limit.ceiling, limit.limit]).toEqual([8, 7]); // no multiplicative decrease
    await rounds(limit, time, 95, 20); // 1.9 s: the back-off is 2 s now
    expect(limit.limit).toBe(7);
    await rounds(limit, time, 10, 20);
    expect(limit.limit).toBe(8);
  });

  it('raises the ceiling by one when a probe holds for two rounds', async () => {
    const { time, limit } = await refusedAtEight();
    await rounds(limit, time, 100, 20); // finance takes more now: the probes hold
    expect(limit.ceiling).toBeGreaterThanOrEqual(10);
    expect(limit.limit).toBeGreaterThanOrEqual(limit.ceiling - 1);
  });

  it('treats overload below the ceiling as less capacity: a quarter less, and a new ceiling', async () => {
    const { time, limit } = await refusedAtEight();
    await rounds(limit, time, 10, 20);
    expect(limit.limit).toBe(7);
    limit.overload({ status: 429 });
    expect([limit.ceiling, limit.limit]).toEqual([7, 5]);
  });
});

describe('adaptive limit: a refused call waiting for its retry', () => {
  it('learns again from a retry sent after the decrease and refused again, not from calls sent before it', async () => {
    const time = clock();
    const limit = new AdaptiveLimit({ max: 64, initial: 12, now: time.now });
    const permits = await Promise.all(Array.from({ length: 12 }, () => limit.acquire()));
    time.advance(1);
    for (const permit of permits.slice(0, 4)) permit.overload({ status: 429 }); // one burst: one lesson
    expect([limit.ceiling, limit.limit]).toEqual([12, 9]);
    const retried = permits[0];
    retried?.pause();
    time.advance(20);
    expect(retried?.tryResume()).toBe(false); // 11 still in flight, limit 9
    for (const permit of permits.slice(1, 4)) permit.done({ kind: 'other' });
    expect(retried?.tryResume()).toBe(true);
    time.advance(1);
    retried?.overload({ status: 429 }); // refused again at the lower limit: finance takes fewer still
    expect([limit.ceiling, limit.limit]).toEqual([9, 6]);
  });

  it('holds no slot while it waits, takes one again ahead of new calls, and ends its wait when done', async () => {
    const limit = new AdaptiveLimit({ max: 1, initial: 1 });
    const refused = await limit.acquire();
    refused.pause();
    const other = limit.tryAcquire();
    expect(other).toBeDefined();
    expect(refused.tryResume()).toBe(false);
    const resumed = refused.resume();
    const newCall = limit.acquire();
    other?.done({ kind: 'ok', latencyMs: 5 });
    expect(await resumed).toBe(true); // ahead of the new call that waited first
    expect(limit.inFlight).toBe(1);
    refused.pause();
    const next = await newCall;
    const waiting = refused.resume();
    refused.done({ kind: 'other' });
    expect(await waiting).toBe(false);
    next.done({ kind: 'other' });
    expect(limit.inFlight).toBe(0);
  });
});

describe('adaptive limit: overload seen mid-call', () => {
  it('shrinks at once, once per burst, and does not learn latency from calls that lived through it', async () => {
    const time = clock();
    const limit = new AdaptiveLimit({ max: 16, initial: 8, now: time.now });
    await rounds(limit, time, 1, 10);
    const before = limit.limit;
    const permit = await limit.acquire();
    limit.overload();
    limit.overload();
    expect(limit.limit).toBe(Math.floor(before * 0.75));
    time.advance(500);
    permit.done({ kind: 'ok', latencyMs: 500 }); // retried through a 429: no latency lesson
    expect(limit.limit).toBe(Math.floor(before * 0.75));
  });
});
