import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/replay/replay-events.ts';
import {
  emptySummary,
  formatReplaySummary,
  progressBar,
  progressLine,
  progressTicker,
  rangeLine,
  supersededLine,
} from '../../src/replay/replay-report.ts';

describe('replay report', () => {
  it('names the offsets it will read, inclusive, leaving out partitions with nothing in range', () => {
    const ranges = [
      { partition: 0, start: 5n, end: 9n },
      { partition: 1, start: 3n, end: 3n },
    ];
    expect(rangeLine('invoice.lines_ingested', ranges)).toBe('replay invoice.lines_ingested: offsets 0:5..8');
    expect(rangeLine('t', [])).toBe('replay t: nothing in range');
  });

  it('ends with a short summary counting every outcome, and says plainly that a dry run pushed nothing', () => {
    const summary = {
      ...emptySummary(false),
      read: 4,
      selected: 3,
      pushed: 1,
      updated: 1,
      superseded: 1,
      dead_lettered: 1,
      skipped: 1,
    };
    expect(formatReplaySummary(summary)).toBe(
      'replay: 3 selected of 4 read\n  pushed 1 (created 0, updated 1), superseded 1, dead-lettered 1, skipped 1',
    );
    expect(formatReplaySummary({ ...emptySummary(true), read: 4, selected: 4 })).toBe(
      'replay (dry run): 4 selected of 4 read, nothing pushed',
    );
  });

  it('says why a superseded record is not pushed', () => {
    expect(supersededLine({ partition: 0, offset: '3', key: 't:p:INV-1' }, 7n)).toBe(
      '0:3  t:p:INV-1  superseded by offset 7 of the same key: not pushed, so finance ends on the newest version (--include-superseded pushes it anyway)',
    );
  });

  it('emits a progress event every n records or every interval, not per record', () => {
    let now = 0;
    const events: ProgressEvent[] = [];
    const progress = progressTicker((event) => events.push(event), 10, {
      everyRecords: 3,
      everyMs: 2_000,
      now: () => now,
    });
    const summary = { ...emptySummary(false), pushed: 2 };
    for (let done = 1; done <= 7; done += 1) {
      now += 100;
      progress.tick(summary, done);
    }
    expect(events).toEqual([
      { type: 'progress', done: 3, total: 10, rate: 10, pushed: 2, superseded: 0, dead_lettered: 0 },
      { type: 'progress', done: 6, total: 10, rate: 10, pushed: 2, superseded: 0, dead_lettered: 0 },
    ]);
    expect(events.map((event) => progressLine(event, event))).toEqual([
      'replay: 3/10 done, 10/s, ETA 1s; 2 pushed, 0 superseded, 0 dead-lettered',
      'replay: 6/10 done, 10/s, ETA 1s; 2 pushed, 0 superseded, 0 dead-lettered',
    ]);
    now = 5_000;
    progress.tick(summary, 8);
    expect(events).toHaveLength(3);
    expect(progress.figures(8)).toEqual({ done: 8, total: 10, rate: 1.6 });
  });

  it('draws a bar with done/total, rate and ETA on a terminal', () => {
    const bar = progressBar({ ...emptySummary(false), pushed: 250 }, { done: 250, total: 1_000, rate: 50 });
    expect(bar).toBe(
      '[########......................] 250/1000 25% 50/s ETA 15s | pushed 250 superseded 0 dead-lettered 0',
    );
  });
});
