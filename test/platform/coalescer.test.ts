import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/platform/coalescer.ts';

describe('Coalescer', () => {
  it('gathers requests made together into one call and answers each with its own result', async () => {
    const calls: number[][] = [];
    const coalescer = new Coalescer(
      async (items: number[]) => {
        calls.push(items);
        return items.map((n) => n * 10);
      },
      { maxBatch: 100, lingerMs: 5 },
    );
    const results = await Promise.all([1, 2, 3].map((n) => coalescer.submit(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('sends a full batch at once, without waiting for the linger', async () => {
    const calls: number[][] = [];
    const coalescer = new Coalescer(
      async (items: number[]) => {
        calls.push(items);
        return items;
      },
      { maxBatch: 2, lingerMs: 60_000 },
    );
    await Promise.all([coalescer.submit(1), coalescer.submit(2)]);
    expect(calls).toEqual([[1, 2]]);
  });

  it('fails every caller of a failed batch', async () => {
    const coalescer = new Coalescer(
      async () => {
        throw new Error('broker gone');
      },
      { maxBatch: 10, lingerMs: 1 },
    );
    const outcomes = await Promise.allSettled([coalescer.submit(1), coalescer.submit(2)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});
