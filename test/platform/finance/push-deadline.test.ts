import { afterEach, describe, expect, it, vi } from 'vitest';
import { SyncError } from '../../../src/failures/errors.ts';
import { pushDeadline } from '../../../src/platform/finance/push-deadline.ts';

describe('pushDeadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts with a TimeoutError once the deadline passes', () => {
    vi.useFakeTimers();
    const deadline = pushDeadline(undefined, 45_000);
    vi.advanceTimersByTime(44_999);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError');
    expect((deadline.signal.reason as DOMException).message).toBe('push deadline of 45000 ms passed');
  });

  it("keeps the caller's reason when the caller aborts first, even before the push began", () => {
    const revoked = new SyncError('PARTITION_REVOKED', 'partition 3 may be revoked');
    const caller = new AbortController();
    const deadline = pushDeadline(caller.signal, 45_000);
    caller.abort(revoked);
    expect(deadline.signal.reason).toBe(revoked);
    const late = pushDeadline(caller.signal, 45_000);
    expect(late.signal.reason).toBe(revoked);
    deadline.clear();
    late.clear();
  });

  it('ends with the push: no timer left, and the caller no longer reaches it', () => {
    vi.useFakeTimers();
    const caller = new AbortController();
    const deadline = pushDeadline(caller.signal, 45_000);
    deadline.clear();
    expect(vi.getTimerCount()).toBe(0);
    caller.abort(new SyncError('PARTITION_REVOKED', 'partition 3 may be revoked'));
    expect(deadline.signal.aborted).toBe(false);
  });
});
