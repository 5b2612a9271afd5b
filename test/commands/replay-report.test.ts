import { describe, expect, it } from 'vitest';
import {
  emptySummary,
  formatReplaySummary,
  progressTicker,
  rangeLine,
} from '../../src/commands/replay-report.ts';

describe('replay report', () => {
  it('names the offsets it will read, inclusive, leaving out partitions with nothing in range', () => {
    const ranges = [
      { partition: 0, start: 5n, end: 9n },
      { partition: 1, start: 3n, end: 3n },
    ];
    expect(rangeLine('invoice.lines_ingested', ranges)).toBe('replay invoice.lines_ingested: offsets 0:5..8');
    expect(rangeLine('t', [])).toBe('replay t: nothing in range');
  });

  it('ends with a short summary, and says plainly that a dry run pushed nothing', () => {
    const summary = {
      ...emptySummary(false),
      read: 3,
      selected: 2,
      pushed: 1,
      updated: 1,
      dead_lettered: 1,
      skipped: 1,
    };
    expect(formatReplaySummary(summary)).toBe(
      'replay: 2 selected of 3 read\n  pushed 1 (created 0, updated 1), dead-lettered 1, skipped 1',
    );
    expect(formatReplaySummary({ ...emptySummary(true), read: 4, selected: 4 })).toBe(
      'replay (dry run): 4 selected of 4 read, nothing pushed',
    );
  });

  it('reports progress every n records or every interval, whichever comes first', () => {
    let now = 0;
    const lines: string[] = [];
    const tick = progressTicker((line) => lines.push(line), {
      everyRecords: 3,
      everyMs: 2_000,
      now: () => now,
    });
    const summary = emptySummary(false);
    for (let offset = 0; offset < 7; offset += 1) tick(summary, { partition: 0, offset: String(offset) });
    expect(lines.map((line) => line.split(',')[0])).toEqual(['replay: at 0:2', 'replay: at 0:5']);
    now = 2_000;
    tick(summary, { partition: 1, offset: '9' });
    expect(lines).toHaveLength(3);
  });
});
