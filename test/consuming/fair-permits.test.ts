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
    const permits = new FairPermits(1, (group) => (group === 'acme' ? 3 : 1));
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

  it('reports which groups wait, and how many', async () => {
    const permits = new FairPermits(1);
    const held = await permits.acquire('a');
    const granted: string[] = [];
    const waiting = ['b', 'b', 'c'].map((group) =>
      permits.acquire(group).then((release) => {
        granted.push(group);
        release();
      }),
    );
    expect(Object.fromEntries(permits.waiting())).toEqual({ b: 2, c: 1 });
    held();
    await Promise.all(waiting);
    expect(granted).toEqual(['b', 'c', 'b']);
    expect(permits.waiting().size).toBe(0);
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
        const order = await grantOrder(new FairPermits(1, weightOf), names, perGroup);
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

  it('refuses a limit without permits', () => {
    expect(() => new FairPermits(0)).toThrow(
      expect.objectContaining({ code: 'INTERNAL_INVARIANT', message: 'permits must be >= 1, got 0' }),
    );
  });
});
