import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../src/consuming/offset-tracker.ts';

describe('OffsetTracker', () => {
  it('resolves only the contiguous finished prefix, whatever order offsets finish in', () => {
    const tracker = new OffsetTracker();
    for (const offset of ['10', '11', '12', '13']) tracker.track(offset);
    expect(tracker.finish('12')).toBeUndefined();
    expect(tracker.finish('11')).toBeUndefined();
    expect(tracker.finish('10')).toBe('12');
    expect(tracker.unfinished).toBe(1);
    expect(tracker.finish('13')).toBe('13');
    expect(tracker.unfinished).toBe(0);
  });

  it('handles offsets beyond 2^53 exactly', () => {
    const tracker = new OffsetTracker();
    tracker.track('9007199254740993');
    expect(tracker.finish('9007199254740993')).toBe('9007199254740993');
  });
});
