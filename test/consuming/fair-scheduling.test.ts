import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FairPermits } from '../../src/consuming/fair-permits.ts';
import { KeyLanes } from '../../src/consuming/key-lanes.ts';
import { OffsetTracker } from '../../src/consuming/offset-tracker.ts';

/** Lets every promise continuation that is ready run (no timer involved). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

interface Running {
  offset: number;
  finish: () => void;
}

/**
 * One partition's records (tenant, key) in offset order through the lanes and fair permits, as the batch
 * processor takes them; the tasks finish in the order `picks` chooses. What started, and the commit point seen
 * after each finish.
 */
async function schedule(records: { tenant: string; key: string }[], permits: number, picks: number[]) {
  const lanes = new KeyLanes(new FairPermits(permits), (key) => key.split(':')[0] ?? '');
  const tracker = new OffsetTracker();
  const running: Running[] = [];
  const started: number[] = [];
  const done = new Set<number>();
  const commits: number[] = [];
  const all = records.map((record, offset) => {
    tracker.track(String(offset));
    return lanes.run(`${record.tenant}:${record.key}`, async () => {
      started.push(offset);
      await new Promise<void>((finish) => running.push({ offset, finish }));
    });
  });
  for (let step = 0; done.size < records.length; step++) {
    await settle();
    expect(running.length).toBeGreaterThan(0); // never stuck while records are left
    expect(running.length).toBeLessThanOrEqual(permits);
    const [next] = running.splice((picks[step % picks.length] ?? 0) % running.length, 1) as [Running];
    done.add(next.offset);
    next.finish();
    const durable = tracker.finish(String(next.offset));
    if (durable === undefined) continue;
    const point = Number(durable);
    expect(records.slice(0, point + 1).every((_, offset) => done.has(offset))).toBe(true);
    commits.push(point);
  }
  await Promise.all(all);
  return { started, done, commits };
}

const tenantRecords = fc.array(
  fc.record({
    tenant: fc.constantFrom('acme', 'globex', 'initech'),
    key: fc.constantFrom('k1', 'k2', 'k3', 'k4'),
  }),
  { minLength: 1, maxLength: 60 },
);

describe('fair scheduling of one partition: lanes, fair permits and the offset tracker together', () => {
  it('for any interleaving of tenants and keys: per-key order kept, commits never pass an unfinished record, every record handed out', async () => {
    await fc.assert(
      fc.asyncProperty(
        tenantRecords,
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 50 }),
        async (records, permits, picks) => {
          const { started, done, commits } = await schedule(records, permits, picks);
          expect([...started].sort((a, b) => a - b)).toEqual(records.map((_, offset) => offset));
          for (const [offset, record] of records.entries()) {
            const sameKey = records
              .map((other, o) => ({ other, o }))
              .filter(({ other }) => other.tenant === record.tenant && other.key === record.key)
              .map(({ o }) => started.indexOf(o));
            expect(sameKey).toEqual([...sameKey].sort((a, b) => a - b));
            expect(done.has(offset)).toBe(true);
          }
          // A commit point (highest durable offset) only ever covers finished records, and ends at the last one.
          expect(commits).toEqual([...commits].sort((a, b) => a - b));
          expect(commits.at(-1)).toBe(records.length - 1);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a tenant with one record behind a flood of another starts it with the next free slot', async () => {
    const flood = Array.from({ length: 40 }, (_, i) => ({ tenant: 'acme', key: `k${i}` }));
    const records = [...flood, { tenant: 'globex', key: 'one' }];
    // Always finish the oldest running task: the flood alone would take 40 turns.
    const { started } = await schedule(records, 2, [0]);
    expect(started.indexOf(40)).toBeLessThanOrEqual(2);
  });
});
