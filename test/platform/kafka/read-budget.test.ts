import { describe, expect, it } from 'vitest';
import {
  type BudgetTimers,
  ReadBudget,
  type StopReason,
  stoppedEarlyText,
} from '../../../src/platform/kafka/read-budget.ts';

/** Timers the test fires by hand: the clock moves only when `fire()` is called. */
function manualTimers() {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let next = 0;
  const timers: BudgetTimers = {
    setTimeout: (callback, ms) => {
      next += 1;
      pending.set(next, { callback, ms });
      return next;
    },
    clearTimeout: (handle) => {
      pending.delete(handle as number);
    },
  };
  const fire = () => {
    for (const [id, { callback }] of [...pending]) {
      pending.delete(id);
      callback();
    }
  };
  return { timers, pending, fire };
}

function budget(limits: ConstructorParameters<typeof ReadBudget>[0]) {
  const stops: StopReason[] = [];
  const clock = manualTimers();
  return { stops, clock, budget: new ReadBudget(limits, (reason) => stops.push(reason), clock.timers) };
}

describe('read budget: a bounded read stops at its record or time limit and says which', () => {
  it('admits exactly maxRecords records, refuses the next and stops once', () => {
    const { budget: b, stops } = budget({ maxRecords: 3 });
    expect([b.admit(), b.admit(), b.admit()]).toEqual([true, true, true]);
    expect(b.stoppedEarly).toBeUndefined(); // a range of exactly the limit is not cut short
    expect(b.admit()).toBe(false);
    expect(b.admit()).toBe(false);
    expect(stops).toEqual(['record limit']);
    expect(b.stoppedEarly).toEqual({ reason: 'record limit', read: 3 });
  });

  it('without limits admits everything and arms no timer', () => {
    const { budget: b, clock } = budget({});
    for (let i = 0; i < 1_000; i += 1) expect(b.admit()).toBe(true);
    expect(clock.pending.size).toBe(0);
    expect(b.stoppedEarly).toBeUndefined();
    expect(b.read).toBe(1_000);
  });

  it('the time limit stops the read with the records read so far, and refuses the rest', () => {
    const { budget: b, stops, clock } = budget({ maxRecords: 100, timeoutMs: 2_500 });
    expect([...clock.pending.values()].map((t) => t.ms)).toEqual([2_500]);
    b.admit();
    b.admit();
    clock.fire();
    expect(stops).toEqual(['time limit']);
    expect(b.stopped).toBe(true);
    expect(b.admit()).toBe(false);
    expect(b.stoppedEarly).toEqual({ reason: 'time limit', read: 2 });
  });

  it('a read that ended is not stopped early by a limit reached afterwards', () => {
    const { budget: b, stops, clock } = budget({ maxRecords: 1, timeoutMs: 1_000 });
    b.admit();
    b.end();
    expect(clock.pending.size).toBe(0); // the clock is cleared
    expect(b.admit()).toBe(false);
    expect(stops).toEqual([]);
    expect(b.stoppedEarly).toBeUndefined();
  });

  it('the first limit reached is the one reported; the clock stops with it', () => {
    const { budget: b, stops, clock } = budget({ maxRecords: 1, timeoutMs: 1_000 });
    b.admit();
    b.admit();
    expect(clock.pending.size).toBe(0);
    expect(stops).toEqual(['record limit']);
  });

  it('says it in one sentence for the pages', () => {
    expect(stoppedEarlyText({ reason: 'time limit', read: 10_000 })).toBe(
      'stopped early after 10000 records (time limit)',
    );
    expect(stoppedEarlyText({ reason: 'record limit', read: 1 })).toBe(
      'stopped early after 1 record (record limit)',
    );
  });
});
