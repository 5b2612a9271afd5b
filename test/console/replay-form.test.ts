import { describe, expect, it } from 'vitest';
import { readReplayForm } from '../../src/console/replay-form.ts';

describe('console replay form: parsed like the replay command’s options', () => {
  it('turns the fields into a selection, leaving empty ones out', () => {
    const read = readReplayForm(
      new URLSearchParams({
        partitions: '2, 0',
        fromOffset: '5',
        toOffset: '',
        fromTime: '2026-05-01T00:00:00Z',
        key: ' t:p:INV-1 ',
      }),
    );
    expect(read).toEqual({
      form: {
        partitions: '2, 0',
        fromOffset: '5',
        toOffset: '',
        fromTime: '2026-05-01T00:00:00Z',
        toTime: '',
        key: 't:p:INV-1',
      },
      selection: {
        partitions: [0, 2],
        fromOffset: 5n,
        fromTime: new Date('2026-05-01T00:00:00Z'),
        key: 't:p:INV-1',
      },
    });
  });

  it('says every field it cannot read, keeping what was typed', () => {
    const read = readReplayForm(
      new URLSearchParams({ partitions: 'x', toOffset: '-1', toTime: 'yesterday' }),
    );
    expect(read.problem).toBe(
      'Partitions: expected a partition number (0 to 2147483647), got "x" To offset: expected a non-negative integer offset To time: expected an ISO 8601 time, e.g. 2026-05-01T10:00:00Z',
    );
    expect(read.form.toTime).toBe('yesterday');
  });

  it('refuses a range that selects nothing', () => {
    expect(readReplayForm(new URLSearchParams({ fromOffset: '9', toOffset: '3' })).problem).toBe(
      'From offset is after to offset: nothing would be selected.',
    );
  });
});
