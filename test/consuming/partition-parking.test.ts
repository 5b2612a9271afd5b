import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartitionParking } from '../../src/consuming/partition-parking.ts';

const notHeld = () => false;

describe('PartitionParking', () => {
  it('parks a group from its first parked record on, and lets it go once a pass loaded them all', () => {
    const parking = new PartitionParking();
    parking.park('acme', 10n, 1_000);
    parking.park('acme', 12n, 2_000);
    expect(parking.isParked('acme')).toBe(true);
    expect(parking.isParked('globex')).toBe(false);
    // The oldest parked record's publish time: how long the group has waited.
    expect(parking.parkedByGroup()).toEqual(new Map([['acme', { count: 2, oldestAt: 1_000 }]]));

    const quotas = parking.passQuotas(8, notHeld);
    expect(quotas).toEqual(new Map([['acme', 8]]));
    expect(parking.beginPass(quotas as Map<string, number>)).toBe(10n);
    expect(parking.load('acme', 10n)).toBe(true);
    expect(parking.load('globex', 11n)).toBe(false);
    expect(parking.passDone).toBe(false);
    expect(parking.load('acme', 12n)).toBe(true);
    expect(parking.passDone).toBe(true);
    parking.endPass();
    expect(parking.isParked('acme')).toBe(false);
    expect(parking.parked).toBe(0);
  });

  it('asks for a pass only for groups not held whose records in progress fell to half the budget', () => {
    const parking = new PartitionParking();
    parking.park('acme', 1n);
    parking.park('paused', 2n);
    for (let i = 0; i < 5; i++) parking.opened('acme');
    expect(parking.passQuotas(8, (group) => group === 'paused')).toBeUndefined();
    parking.closed('acme');
    expect(parking.passQuotas(8, (group) => group === 'paused')).toEqual(new Map([['acme', 4]]));
    expect(parking.passQuotas(8, notHeld)).toEqual(
      new Map([
        ['acme', 4],
        ['paused', 8],
      ]),
    );
  });

  it('finishes a pass at its quota, the rest still parked and next in line', () => {
    const parking = new PartitionParking();
    for (const offset of [5n, 6n, 7n, 9n]) parking.park('acme', offset);
    parking.beginPass(new Map([['acme', 2]]));
    expect([parking.load('acme', 5n), parking.load('acme', 6n)]).toEqual([true, true]);
    expect(parking.passDone).toBe(true);
    parking.endPass();
    expect(parking.isParked('acme')).toBe(true);
    expect(parking.beginPass(new Map([['acme', 4]]))).toBe(7n);
  });

  it('loads beyond a used quota only for the pass’s own groups, only when asked, and only in order', () => {
    const parking = new PartitionParking();
    for (const offset of [1n, 2n, 3n, 5n]) parking.park('acme', offset);
    parking.park('paused', 4n);
    parking.beginPass(new Map([['acme', 1]]));
    expect(parking.load('acme', 1n)).toBe(true);
    expect(parking.passDone).toBe(true);
    expect(parking.load('acme', 2n)).toBe(false); // quota used, not asked
    expect(parking.load('acme', 2n, true)).toBe(true);
    expect(parking.load('acme', 5n, true)).toBe(false); // 3 comes first, and stays parked
    expect(parking.takeVanished()).toEqual([]);
    expect(parking.load('paused', 4n, true)).toBe(false); // not a group of this pass
    expect(parking.load('acme', 3n, true)).toBe(true);
    parking.endPass();
    expect(parking.load('acme', 5n, true)).toBe(false); // no pass under way
    expect(parking.parkedByGroup()).toEqual(
      new Map([
        ['acme', expect.objectContaining({ count: 1 })],
        ['paused', expect.objectContaining({ count: 1 })],
      ]),
    );
  });

  it('reports parked offsets the read went past as gone from the log', () => {
    const parking = new PartitionParking();
    for (const offset of [3n, 4n, 8n]) parking.park('acme', offset);
    parking.beginPass(new Map([['acme', 10]]));
    expect(parking.load('acme', 8n)).toBe(true);
    expect(parking.takeVanished()).toEqual([3n, 4n]);
    expect(parking.passDone).toBe(true);
    expect(parking.isParked('acme')).toBe(false);
  });

  it('loads every parked record exactly once and in offset order, whatever the quotas and interleaving', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.boolean(), { maxLength: 30 }),
        (groups, budget, room) => {
          const parking = new PartitionParking();
          for (const [offset, group] of groups.entries()) parking.park(group, BigInt(offset));
          const loaded: [string, number][] = [];
          for (let passes = 0; parking.parked > 0; passes++) {
            if (passes > groups.length) throw new Error('no progress');
            const quotas = parking.passQuotas(budget, notHeld) as Map<string, number>;
            const from = Number(parking.beginPass(quotas));
            // As the processor: quotas first, then what else of the pass's groups the fetched batch holds.
            let offset = from;
            for (; offset < groups.length && !parking.passDone; offset++) {
              const group = groups[offset] as string;
              if (parking.load(group, BigInt(offset))) loaded.push([group, offset]);
            }
            // The window's room comes and goes as records finish (`room`, one flag per record read).
            for (const hasRoom of room) {
              if (offset >= groups.length) break;
              const group = groups[offset] as string;
              if (parking.load(group, BigInt(offset), hasRoom)) loaded.push([group, offset]);
              offset++;
            }
            parking.endPass();
          }
          expect(loaded.map(([, offset]) => offset).sort((x, y) => x - y)).toEqual(groups.map((_, i) => i));
          for (const group of new Set(groups)) {
            const mine = loaded.filter(([g]) => g === group).map(([, offset]) => offset);
            expect(mine).toEqual([...mine].sort((x, y) => x - y));
          }
        },
      ),
    );
  });
});
