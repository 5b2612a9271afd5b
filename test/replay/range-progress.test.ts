import { describe, expect, it } from 'vitest';
import { RangeProgress } from '../../src/replay/range-progress.ts';

describe('replay progress per partition', () => {
  it('resumes from the first unfinished offset, skipping the ones above it that finished', () => {
    const progress = new RangeProgress([{ partition: 0, next: 10n, end: 20n, done: [] }]);
    for (const offset of [10n, 11n, 12n, 13n]) progress.begin(0, offset);
    progress.finish(0, 10n);
    progress.finish(0, 12n);
    progress.finish(0, 13n);
    expect(progress.positions()).toEqual([{ partition: 0, next: 11n, end: 20n, done: [12n, 13n] }]);
    progress.finish(0, 11n);
    expect(progress.positions()).toEqual([{ partition: 0, next: 14n, end: 20n, done: [] }]);
  });

  it('starts a resumed run with what the previous one finished', () => {
    const progress = new RangeProgress([{ partition: 1, next: 5n, end: 9n, done: [7n] }]);
    expect([progress.wasDone(1, 7n), progress.wasDone(1, 6n)]).toEqual([true, false]);
    for (const offset of [5n, 6n, 8n]) {
      progress.begin(1, offset);
      progress.finish(1, offset);
    }
    expect(progress.positions()).toEqual([{ partition: 1, next: 9n, end: 9n, done: [] }]);
    expect(progress.complete).toBe(true);
  });
});
