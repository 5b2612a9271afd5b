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
    await rounds(limit, time, 500);
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

  it('holds every new call at the gate a Retry-After closed', async () => {
    const limit = new AdaptiveLimit({ max: 4, initial: 4 });
    const refused = await limit.acquire();
    refused.done({ kind: 'overload', retryAfterMs: 150 });
    const startedAt = Date.now();
    const permit = await limit.acquire();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
    permit.done({ kind: 'other' });
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
