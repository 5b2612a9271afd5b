import { describe, expect, it } from 'vitest';
import { ReplayJobs, type ReplayRunner } from '../../src/console/replay-jobs.ts';
import type { ReplayEvent } from '../../src/replay/replay-events.ts';
import { emptySummary } from '../../src/replay/replay-report.ts';

const ann = { name: 'ann', via: 'session' as const };

/** A runner whose run ends when the test says so. */
function heldRunner() {
  const ends: Array<{ finish(): void; fail(error: Error): void; tell(event: ReplayEvent): void }> = [];
  const runner: ReplayRunner = {
    preview: async () => ({ rows: [], more: 0, notes: [], totals: {} }),
    run: (_selection, onEvent, signal) =>
      new Promise((resolve, reject) => {
        ends.push({ finish: () => resolve({ pushed: 3 }), fail: reject, tell: onEvent });
        // Like the engine: once stopped, in-flight work ends and the run resolves with what it did.
        signal.addEventListener('abort', () => resolve({ pushed: 1, interrupted: true }));
      }),
  };
  return { runner, ends };
}

const progress = (done: number): ReplayEvent => ({
  type: 'progress',
  done,
  total: 100,
  rate: 10,
  pushed: done,
  superseded: 0,
  dead_lettered: 0,
});

describe('console replay jobs: one replay at a time per service', () => {
  it('refuses a second start while one runs, and allows one once it finished', async () => {
    const { runner, ends } = heldRunner();
    let now = 1_000;
    const jobs = new ReplayJobs(runner, () => now);
    expect(jobs.start({ partitions: [0] }, ann)).toMatchObject({ ok: true, job: { state: 'running' } });
    expect(jobs.start({ partitions: [1] }, { name: 'bob', via: 'bearer' })).toEqual({
      ok: false,
      message:
        'A replay is already running (started by ann at 1970-01-01T00:00:01.000Z); one at a time per service.',
    });
    ends[0]?.tell(progress(42));
    ends[0]?.tell({ type: 'record', partition: 0, offset: '41', key: 'k', outcome: 'created' });
    now = 5_000;
    ends[0]?.finish();
    await jobs.settled();
    expect(jobs.current()).toMatchObject({
      state: 'finished',
      totals: { pushed: 3 },
      events: [progress(42)], // a push that went well is counted, not kept
      startedAt: 1_000,
      finishedAt: 5_000,
    });
    expect(jobs.start({ partitions: [] }, ann).ok).toBe(true);
  });

  it('keeps why a replay failed, and the latest events only', async () => {
    const { runner, ends } = heldRunner();
    const jobs = new ReplayJobs(runner);
    jobs.start({ partitions: [] }, ann);
    for (let i = 0; i < 100; i++) ends[0]?.tell(progress(i));
    ends[0]?.fail(new Error('replay stopped at partition 0 offset 7: finance unavailable'));
    await jobs.settled();
    const job = jobs.current();
    expect(job).toMatchObject({
      state: 'failed',
      error: 'replay stopped at partition 0 offset 7: finance unavailable',
    });
    expect(job?.events).toHaveLength(40);
    expect(job?.events.at(-1)).toEqual(progress(99));
  });

  it('takes how a replay ended and its totals from the engine’s last event', async () => {
    const { runner, ends } = heldRunner();
    const jobs = new ReplayJobs(runner);
    jobs.start({ partitions: [] }, ann);
    const summary = { ...emptySummary(false), read: 5, selected: 5, pushed: 2, interrupted: true };
    const progressFigures = { done: 2, total: 5, rate: 1 };
    const resume = 'replay: resume with --partition 0 --from-offset 2';
    ends[0]?.tell({
      type: 'stopped',
      cause: 'interrupted',
      summary,
      progress: progressFigures,
      resume_hint: resume,
    });
    ends[0]?.finish();
    await jobs.settled();
    expect(jobs.current()).toMatchObject({ state: 'stopped', totals: summary });
  });

  it('stops the running replay on request, saying who stopped it; nothing to stop is no error', async () => {
    const { runner } = heldRunner();
    const jobs = new ReplayJobs(runner);
    expect(jobs.stop('ann')).toBe(false);
    jobs.start({ partitions: [] }, ann);
    expect(jobs.stop('bob')).toBe(true);
    await jobs.settled();
    expect(jobs.current()).toMatchObject({
      state: 'stopped',
      stoppedBy: 'bob',
      totals: { pushed: 1, interrupted: true },
    });
    expect(jobs.stop('bob')).toBe(false);
  });
});
