import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { describeSelection, parseSelection } from '../../src/audit/audit-selection.ts';
import { UsageError } from '../../src/failures/usage-error.ts';
import { fuzzScale, recordBadInput } from '../helpers/bad-input.ts';

describe('audit --since / --period', () => {
  it('select a billed month, a time from which newest versions count, or everything', () => {
    expect(parseSelection({ period: '2026-04' })).toEqual({ kind: 'period', period: '2026-04-01' });
    expect(parseSelection({ since: '2026-05-01' })).toEqual({
      kind: 'since',
      since: new Date('2026-05-01T00:00:00Z'),
    });
    expect(parseSelection({ since: '2026-05-01T10:00:00+02:00' })).toEqual({
      kind: 'since',
      since: new Date('2026-05-01T08:00:00Z'),
    });
    expect(parseSelection({})).toEqual({ kind: 'all' });
    expect(describeSelection(parseSelection({ period: '2026-12' }))).toBe('period 2026-12');
  });

  it('refuse both at once, months and days not on the calendar, and anything not ISO 8601', () => {
    expect(() => parseSelection({ since: '2026-05-01', period: '2026-04' })).toThrow(
      '--since and --period select differently: give one of them, or neither for all',
    );
    for (const period of [
      '2026-13',
      '2026-00',
      '2026-4',
      '26-04',
      '2026-04-01',
      '',
      ' 2026-04',
      '１９９９-01',
    ]) {
      expect(() => parseSelection({ period }), period).toThrow(
        /^--period: expected a month as YYYY-MM between 1970-01 and 9999-12, e.g. 2026-04; got /,
      );
    }
    for (const since of [
      '2026-02-30',
      'yesterday',
      '1000',
      '1969-12-31',
      '2026-05-01T25:00:00Z',
      'NaN',
      '',
    ]) {
      expect(() => parseSelection({ since }), since).toThrow(
        /^--since: expected an ISO 8601 time from 1970 on/,
      );
    }
  });
});

// Operator input is input too: whatever the shell passes, a selection or one usage line (exit 64).
const FUZZ_RUNS = 3_000 * fuzzScale().factor;
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.stringMatching(/^\d{4}-\d{2}(-\d{2})?[T ]?[\d:.+Z-]{0,20}$/),
  fc
    .date({ noInvalidDate: false })
    .map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString())),
  fc.integer().map(String),
  fc.constantFrom('9'.repeat(5_000), '\u0000', '2026-02-29', '+002026-05-01', '-000001-01', '0000-01'),
);

describe('audit --since / --period, fuzzed', () => {
  it(`give a selection or a UsageError with a message, for ${FUZZ_RUNS} arbitrary pairs`, () => {
    fc.assert(
      fc.property(fc.option(hostile), fc.option(hostile), (since, period) => {
        const options = { since: since ?? undefined, period: period ?? undefined };
        try {
          const selection = parseSelection(options);
          if (selection.kind === 'period') expect(selection.period).toMatch(/^\d{4}-(0[1-9]|1[0-2])-01$/);
          if (selection.kind === 'since') expect(Number.isFinite(selection.since.getTime())).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as Error).message).toMatch(/^--(since|period)/);
          expect((error as Error).message.length).toBeLessThan(200);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  afterAll(() => {
    recordBadInput('operator-audit-selection', {
      surface: 'operator input: audit --since / --period',
      inputs: FUZZ_RUNS,
      crashes: 0,
      stalls: 0,
      lost: 0,
      what: 'arbitrary strings as --since and --period: a selection, or one usage line',
    });
  });
});

const CLI = fileURLToPath(new URL('../../bin/invoice-finance-sync.ts', import.meta.url));

// Starts the CLI as a process: slow on a busy 2-core machine. Nothing is opened before the values are read.
describe('the audit command', { timeout: 60_000 }, () => {
  it('answers a hostile value with one usage line and exit 64, before connecting anywhere', () => {
    for (const args of [
      ['--period', '2026-13'],
      ['--since', '2026-02-30T00:00:00Z'],
      ['--since', '\u001b[31mred'],
      ['--since', '2026-05-01', '--period', '2026-04'],
    ]) {
      const result = spawnSync(process.execPath, [CLI, 'audit', ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
        timeout: 30_000,
      });
      expect(result.status, result.stderr).toBe(64);
      expect(result.stderr).toMatch(/^invoice-finance-sync: --(since|period)[^\n]*\n$/);
      expect(result.stdout).toBe('');
    }
  });
});
