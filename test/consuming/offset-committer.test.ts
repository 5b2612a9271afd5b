import { describe, expect, it } from 'vitest';
import { OffsetCommitter } from '../../src/consuming/offset-committer.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { eventually } from '../helpers/eventually.ts';

const log = createLogger({ level: 'silent', pretty: false });
type Offsets = { partition: number; offset: string }[];

function committer(commit: (offsets: Offsets) => Promise<void>) {
  // A long interval: the tests flush by hand.
  return new OffsetCommitter(commit, { intervalMs: 60_000, log });
}

describe('OffsetCommitter', () => {
  it('commits the newest durable offset of each partition in one request', async () => {
    const commits: Offsets[] = [];
    const offsets = committer(async (o) => void commits.push(o));
    offsets.note(0, '5');
    offsets.note(0, '9');
    offsets.note(3, '2');
    await offsets.flush();
    expect(commits).toEqual([
      [
        { partition: 0, offset: '9' },
        { partition: 3, offset: '2' },
      ],
    ]);
  });

  it('never moves a partition back, and sends nothing when nothing new is durable', async () => {
    const commits: Offsets[] = [];
    const offsets = committer(async (o) => void commits.push(o));
    offsets.note(1, '10');
    await offsets.flush();
    offsets.note(1, '7');
    offsets.note(1, '10');
    await offsets.flush();
    expect(commits).toEqual([[{ partition: 1, offset: '10' }]]);
  });

  it('keeps offsets whose commit failed for the next flush', async () => {
    const commits: Offsets[] = [];
    let fail = true;
    const offsets = committer(async (o) => {
      if (fail) throw new Error('REBALANCE_IN_PROGRESS');
      commits.push(o);
    });
    offsets.note(2, '4');
    await offsets.flush();
    fail = false;
    await offsets.flush();
    expect(commits).toEqual([[{ partition: 2, offset: '4' }]]);
  });

  it('forgets what was noted under the previous group generation', async () => {
    const commits: Offsets[] = [];
    const offsets = committer(async (o) => void commits.push(o));
    offsets.note(0, '8');
    offsets.reset();
    offsets.note(1, '3');
    await offsets.flush();
    expect(commits).toEqual([[{ partition: 1, offset: '3' }]]);
  });
});

describe('OffsetCommitter with a commit that never answers', () => {
  it('counts it as failed after its timeout and commits the offsets again', async () => {
    const commits: Offsets[] = [];
    let hang = true;
    const offsets = new OffsetCommitter(
      (o) => {
        if (hang) return new Promise<void>(() => {});
        commits.push(o);
        return Promise.resolve();
      },
      { intervalMs: 60_000, log, timeoutMs: 20 },
    );
    offsets.note(4, '12');
    await offsets.flush();
    expect(commits).toEqual([]);
    hang = false;
    await offsets.flush();
    expect(commits).toEqual([[{ partition: 4, offset: '12' }]]);
  });

  it('does not hold a new group generation back behind the old one’s unanswered commit', async () => {
    const commits: Offsets[] = [];
    let calls = 0;
    const offsets = committer((o) => {
      calls++;
      if (calls === 1) return new Promise<void>(() => {});
      commits.push(o);
      return Promise.resolve();
    });
    offsets.note(0, '8');
    void offsets.flush();
    offsets.reset();
    offsets.note(0, '9');
    await offsets.flush();
    expect(commits).toEqual([[{ partition: 0, offset: '9' }]]);
  });
});

/** A commit function whose first commit answers (and lands) only when `land()` is called. */
function firstCommitLate() {
  const commits: Offsets[] = [];
  let land: (() => void) | undefined;
  const commit = (o: Offsets) => {
    if (land !== undefined || commits.length > 0) {
      commits.push(o);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      land = () => {
        commits.push(o);
        resolve();
      };
    });
  };
  return { commits, commit, land: () => land?.() };
}

describe('OffsetCommitter with a commit that lands late', () => {
  it('commits the newest offset again when a commit it gave up on lands after a newer one', async () => {
    // The first commit answers only after its timeout, as kafkajs's retries can.
    const late = firstCommitLate();
    const offsets = new OffsetCommitter(late.commit, { intervalMs: 60_000, log, timeoutMs: 20 });
    offsets.note(5, '5');
    await offsets.flush(); // timed out
    offsets.note(5, '15');
    await offsets.flush();
    late.land(); // the old commit lands: the group's offset for partition 5 is back at 5
    await new Promise((resolve) => setImmediate(resolve));
    await offsets.flush();
    expect(late.commits.map((c) => c.find((o) => o.partition === 5)?.offset)).toEqual(['15', '5', '15']);
  });

  it('does the same for a commit of the previous generation that lands after the new one’s', async () => {
    const late = firstCommitLate();
    const offsets = committer(late.commit);
    offsets.note(0, '6');
    void offsets.flush();
    offsets.reset();
    offsets.note(0, '16');
    await offsets.flush();
    late.land();
    await new Promise((resolve) => setImmediate(resolve));
    await offsets.flush();
    expect(late.commits.map((c) => c[0]?.offset)).toEqual(['16', '6', '16']);
  });

  it('commits the newest again for a partition still its own with nothing new in the next generation', async () => {
    // Given up on, then the same partition committed further; a rebalance keeps it here; then the old commit lands.
    const late = firstCommitLate();
    const offsets = new OffsetCommitter(late.commit, { intervalMs: 60_000, log, timeoutMs: 20 });
    offsets.note(3, '6');
    await offsets.flush(); // timed out
    offsets.note(3, '19');
    await offsets.flush();
    offsets.reset([1, 3, 5]);
    late.land();
    await new Promise((resolve) => setImmediate(resolve));
    await offsets.flush();
    expect(late.commits.map((c) => c.find((o) => o.partition === 3)?.offset)).toEqual(['19', '6', '19']);
  });

  it('leaves a partition it no longer owns to its new owner when an old commit of it lands', async () => {
    const late = firstCommitLate();
    const offsets = new OffsetCommitter(late.commit, { intervalMs: 60_000, log, timeoutMs: 20 });
    offsets.note(3, '6');
    await offsets.flush();
    offsets.note(3, '19');
    await offsets.flush();
    offsets.reset([1, 5]);
    late.land();
    await new Promise((resolve) => setImmediate(resolve));
    await offsets.flush();
    expect(late.commits.map((c) => c.find((o) => o.partition === 3)?.offset)).toEqual(['19', '6']);
  });
});

describe('OffsetCommitter after trouble', () => {
  it('commits the newest offsets again for a while, so an old commit landing more than once never has the last word', async () => {
    // The group's committed offset of each partition, as the broker keeps it: the last commit to land wins.
    const group = new Map<number, string>();
    let hang = true;
    const offsets = new OffsetCommitter(
      (o) => {
        if (hang) return new Promise<void>(() => {});
        for (const { partition, offset } of o) group.set(partition, offset);
        return Promise.resolve();
      },
      { intervalMs: 5, log, timeoutMs: 20, reassert: { forMs: 400, everyMs: 20 } },
    );
    offsets.note(2, '5');
    await offsets.flush(); // given up on after 20 ms: trouble
    hang = false;
    offsets.note(2, '15');
    await offsets.flush();
    expect(group.get(2)).toBe('15');
    // A copy of the old commit that kafkajs kept retrying lands, twice, with no answer to us.
    group.set(2, '5');
    await eventually(() => (group.get(2) === '15' ? true : undefined), { timeoutMs: 2_000, intervalMs: 5 });
    group.set(2, '5');
    await eventually(() => (group.get(2) === '15' ? true : undefined), { timeoutMs: 2_000, intervalMs: 5 });
    offsets.stop();
  });
});
