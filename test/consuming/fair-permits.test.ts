import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FairPermits } from '../../src/consuming/fair-permits.ts';

/** Lets every promise continuation that is ready run (no timer involved). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Asks `perGroup` slots for each group at once, then releases them one by one; the order they were granted in. */
async function grantOrder(permits: FairPermits, groups: string[], perGroup: number): Promise<string[]> {
  const order: string[] = [];
  const held = await permits.acquire('holder'); // keeps every ask below waiting in line
  const asks = groups.flatMap((group) =>
    Array.from({ length: perGroup }, () =>
      permits.acquire(group).then((release) => {
        order.push(group);
        release();
      }),
    ),
  );
  held();
  await Promise.all(asks);
  return order;
}

describe('FairPermits', () => {
  it('hands one slot at a time to the waiting groups in turn, whoever asked first', async () => {
    const permits = new FairPermits(1);
    const order = await grantOrder(permits, ['flood', 'quiet'], 3);
    expect(order).toEqual(['flood', 'quiet', 'flood', 'quiet', 'flood', 'quiet']);
  });

  it('gives a group of weight 3 three slots for every one of a group of weight 1', async () => {
    const permits = new FairPermits(1, { weightOf: (group) => (group === 'acme' ? 3 : 1) });
    const order = await grantOrder(permits, ['globex', 'acme'], 8);
    expect(order.slice(0, 8).filter((g) => g === 'acme')).toHaveLength(6);
  });

  it('lets a group that comes later go before the rest of a flood that waits', async () => {
    const permits = new FairPermits(2);
    const started: string[] = [];
    const releases: (() => void)[] = [];
    const ask = (group: string) =>
      permits.acquire(group).then((release) => {
        started.push(group);
        releases.push(release);
      });
    const flood = Array.from({ length: 50 }, () => ask('flood'));
    await settle();
    const late = ask('quiet');
    releases.shift()?.();
    await late;
    expect(started).toEqual(['flood', 'flood', 'quiet']);
    while (releases.length > 0) {
      releases.shift()?.();
      await settle();
    }
    await Promise.all(flood);
    expect(started).toHaveLength(51);
  });

  it('reports which groups wait, how many, since when and why', async () => {
    let now = 1_000;
    const permits = new FairPermits(1, { now: () => now });
    const held = await permits.acquire('a');
    const granted: string[] = [];
    const waiting = ['b', 'b', 'c'].map((group) =>
      permits.acquire(group).then((release) => {
        granted.push(group);
        release();
      }),
    );
    now = 1_250;
    expect(permits.groups()).toEqual([
      { group: 'a', running: 1, waiting: 0, oldestWaitMs: 0, held: false, reason: undefined },
      { group: 'b', running: 0, waiting: 2, oldestWaitMs: 250, held: false, reason: 'turn' },
      { group: 'c', running: 0, waiting: 1, oldestWaitMs: 250, held: false, reason: 'turn' },
    ]);
    held();
    await Promise.all(waiting);
    expect(granted).toEqual(['b', 'c', 'b']);
    expect(permits.groups()).toEqual([]);
  });

  it('no group starves: every group that keeps waiting gets its share, less at most one slot per group, of every run of grants', async () => {
    const groups = fc.uniqueArray(fc.constantFrom<string>('a', 'b', 'c', 'd', 'e'), {
      minLength: 1,
      maxLength: 5,
    });
    const weights = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 5, maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(groups, weights, async (names, shares) => {
        const weightOf = (group: string) => shares[names.indexOf(group)] ?? 1;
        const total = names.reduce((sum, g) => sum + weightOf(g), 0);
        const perGroup = 12;
        const order = await grantOrder(new FairPermits(1, { weightOf }), names, perGroup);
        // While every group still waits (the first grants), each has had its share within one slot per group.
        const saturated = Math.floor((perGroup * total) / Math.max(...names.map(weightOf)));
        for (let n = 1; n <= Math.min(saturated, order.length); n++) {
          const prefix = order.slice(0, n);
          for (const g of names) {
            const had = prefix.filter((x) => x === g).length;
            expect(had).toBeGreaterThanOrEqual(Math.floor((n * weightOf(g)) / total) - names.length);
          }
        }
        expect(order).toHaveLength(names.length * perGroup);
      }),
      { numRuns: 100 },
    );
  });

  it('gives a held group nothing until it is let go, then its tasks in the order they asked; others flow meanwhile', async () => {
    const permits = new FairPermits(1);
    permits.hold('paused');
    const order: string[] = [];
    const ask = (group: string, name: string) =>
      permits.acquire(group).then((release) => {
        order.push(name);
        release();
      });
    const paused = [ask('paused', 'p1'), ask('paused', 'p2')];
    await Promise.all([ask('other', 'o1'), ask('other', 'o2')]);
    expect(order).toEqual(['o1', 'o2']);
    expect(permits.groups()).toEqual([
      expect.objectContaining({ group: 'paused', waiting: 2, held: true, reason: 'held' }),
    ]);
    permits.release('paused');
    await Promise.all(paused);
    expect(order).toEqual(['o1', 'o2', 'p1', 'p2']);
  });

  it('lets a held task whose signal aborts go without a slot, so it can give up', async () => {
    const permits = new FairPermits(1);
    permits.hold('paused');
    const stop = new AbortController();
    const waiting = permits.acquire('paused', stop.signal);
    stop.abort();
    const release = await waiting;
    release();
    const other = await permits.acquire('other');
    expect(permits.groups()).toEqual([
      expect.objectContaining({ group: 'other', running: 1 }),
      expect.objectContaining({ group: 'paused', running: 0, waiting: 0, held: true }),
    ]);
    other();
  });

  it('puts one listener on a signal however many tasks wait with it, and an abort still frees each of them', async () => {
    const permits = new FairPermits(1);
    const holder = await permits.acquire('holder');
    const stop = new AbortController();
    const waiting = Array.from({ length: 2_000 }, (_, i) => permits.acquire(`t${i % 7}`, stop.signal));
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    stop.abort();
    const releases = await Promise.all(waiting);
    for (const release of releases) release();
    expect(permits.groups()).toEqual([expect.objectContaining({ group: 'holder', running: 1, waiting: 0 })]);
    holder();
    expect(permits.groups()).toEqual([]);
  });

  it('never gives a group more slots than its cap, though slots are free', async () => {
    const permits = new FairPermits(4, { capOf: (group) => (group === 'capped' ? 1 : 4) });
    const first = await permits.acquire('capped');
    let second = false;
    const next = permits.acquire('capped').then((release) => {
      second = true;
      return release;
    });
    const others = await Promise.all([permits.acquire('x'), permits.acquire('x')]);
    expect(second).toBe(false);
    expect(permits.groups()).toContainEqual(expect.objectContaining({ group: 'capped', reason: 'at-cap' }));
    first();
    (await next)();
    expect(second).toBe(true);
    for (const release of others) release();
  });

  it('gives a group at most its rate: one second’s worth at once, the next when its token is due; others meanwhile', async () => {
    const permits = new FairPermits(10, {
      rateOf: (group) => (group === 'slow' ? 2 : Number.POSITIVE_INFINITY),
    });
    const granted: string[] = [];
    const ask = (group: string) =>
      permits.acquire(group).then((release) => {
        granted.push(group);
        release();
      });
    const slow = [ask('slow'), ask('slow'), ask('slow')];
    await Promise.all([ask('fast'), ask('fast')]);
    expect(granted).toEqual(['slow', 'slow', 'fast', 'fast']);
    expect(permits.groups()).toContainEqual(
      expect.objectContaining({ group: 'slow', waiting: 1, reason: 'at-rate' }),
    );
    await Promise.all(slow);
    expect(granted).toHaveLength(5);
  });

  it('grows and shrinks with resize: more slots go to the waiting groups in turn; fewer stop grants until that few run', async () => {
    const permits = new FairPermits(1);
    const granted: string[] = [];
    const releases: (() => void)[] = [];
    const ask = (group: string) =>
      permits.acquire(group).then((release) => {
        granted.push(group);
        releases.push(release);
      });
    const asks = [ask('flood'), ask('flood'), ask('flood'), ask('flood'), ask('quiet')];
    await settle();
    expect(granted).toEqual(['flood']);
    permits.resize(3);
    await settle();
    expect(granted).toEqual(['flood', 'quiet', 'flood']);
    permits.resize(1);
    releases.shift()?.();
    releases.shift()?.();
    await settle();
    expect(granted).toHaveLength(3); // 1 still runs: at the new size, nothing more yet
    releases.shift()?.();
    await settle();
    expect(granted).toEqual(['flood', 'quiet', 'flood', 'flood']);
    while (releases.length > 0) {
      releases.shift()?.();
      await settle();
    }
    await Promise.all(asks);
    expect(granted).toHaveLength(5);
  });

  it('refuses a limit without permits', () => {
    expect(() => new FairPermits(0)).toThrow(
      expect.objectContaining({ code: 'INTERNAL_INVARIANT', message: 'permits must be >= 1, got 0' }),
    );
  });
});
