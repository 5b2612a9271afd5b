import { describe, expect, it } from 'vitest';
import { FaultInjector, FaultsPatchError } from '../../../tools/finance-server/faults.ts';

const T0 = Date.parse('2026-05-01T00:00:00.000Z');

function statuses(injector: FaultInjector, count: number, now = T0): Array<number | string> {
  return Array.from({ length: count }, () => {
    const decision = injector.decide(now);
    return decision.kind === 'answer' ? decision.status : decision.kind;
  });
}

describe('FaultInjector', () => {
  it('decides nothing by default', () => {
    expect(statuses(new FaultInjector(), 3)).toEqual(['none', 'none', 'none']);
  });

  it('repeats the same random faults for the same seed', () => {
    const first = new FaultInjector();
    const second = new FaultInjector();
    first.apply({ errorRate: 0.5, seed: 42 }, T0);
    second.apply({ errorRate: 0.5, seed: 42 }, T0);

    const sequence = statuses(first, 20);
    expect(statuses(second, 20)).toEqual(sequence);
    expect(sequence).toContain(503);
    expect(sequence).toContain('none');
  });

  it('restarts the sequence when the seed is set again', () => {
    const injector = new FaultInjector();
    injector.apply({ rateLimit: { rate: 0.3 }, seed: 7 }, T0);
    const sequence = statuses(injector, 10);
    injector.apply({ seed: 7 }, T0);
    expect(statuses(injector, 10)).toEqual(sequence);
  });

  it('ends an outage given forMs once that time has passed', () => {
    const injector = new FaultInjector();
    injector.apply({ outage: { forMs: 1_000 } }, T0);

    expect(injector.current(T0).outage).toEqual({ untilEpochMs: T0 + 1_000, mode: 'unavailable' });
    expect(statuses(injector, 1, T0 + 999)).toEqual([503]);
    expect(statuses(injector, 1, T0 + 1_000)).toEqual(['none']);
    expect(injector.current(T0 + 1_000).outage).toBeNull();
  });

  it('lets an outage win over failNext without consuming it', () => {
    const injector = new FaultInjector();
    injector.apply({ outage: { until: T0 + 10 }, failNext: { count: 1, status: 500 } }, T0);
    expect(statuses(injector, 2, T0)).toEqual([503, 503]);
    expect(statuses(injector, 2, T0 + 10)).toEqual([500, 'none']);
  });

  it('keeps fields a patch leaves out and clears the ones it sets to null', () => {
    const injector = new FaultInjector();
    injector.apply({ latencyMs: 50, rateLimit: { rate: 1, retryAfterSeconds: 3 } }, T0);
    injector.apply({ rateLimit: null }, T0);
    expect(injector.current(T0)).toMatchObject({ latencyMs: 50, rateLimit: null });
  });

  it('throws FaultsPatchError with field errors and keeps the faults as they were', () => {
    const injector = new FaultInjector();
    const patch = { latencyMs: -1, failNext: { status: 199 }, outage: { forMs: 1, until: T0 } };

    expect(() => injector.apply(patch, T0)).toThrow(FaultsPatchError);
    try {
      injector.apply(patch, T0);
    } catch (error) {
      expect(Object.keys((error as FaultsPatchError).fieldErrors).sort()).toEqual([
        'failNext.status',
        'latencyMs',
        'outage',
      ]);
    }
    expect(injector.current(T0).latencyMs).toBe(0);
  });
});

describe('FaultInjector: load shedding', () => {
  it('answers 429 with Retry-After above the concurrency limit, and nothing at or below it', () => {
    const injector = new FaultInjector();
    injector.apply({ concurrencyLimit: { max: 2, retryAfterSeconds: 1 } }, 0);
    expect(injector.shedLoad(2)).toEqual({ kind: 'none' });
    expect(injector.shedLoad(3)).toEqual({
      kind: 'answer',
      status: 429,
      body: { errors: { detail: 'injected fault: more than 2 imports in flight' } },
      headers: { 'retry-after': '1' },
    });
    injector.apply({ concurrencyLimit: null }, 0);
    expect(injector.shedLoad(100)).toEqual({ kind: 'none' });
  });
});
