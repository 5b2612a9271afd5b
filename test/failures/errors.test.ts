import { describe, expect, it } from 'vitest';
import { ERROR_CODES, exitCodeOf, SyncError } from '../../src/failures/errors.ts';

describe('exitCodeOf', () => {
  it('gives what only the operator can fix its sysexits.h code', () => {
    expect(exitCodeOf(new SyncError('CONFIG_INVALID', 'bad variable'))).toBe(78);
    expect(exitCodeOf(new SyncError('CREDENTIALS_REFUSED', 'login refused'))).toBe(78);
    expect(exitCodeOf(new SyncError('INGEST_INPUT_INVALID', 'a.csv:3: bad amount'))).toBe(65);
    expect(exitCodeOf(new SyncError('INGEST_INPUT_MISSING', 'a.csv: cannot read it'))).toBe(66);
  });

  it('gives 1 to everything retrying may help with, and to errors outside the catalogue', () => {
    expect(exitCodeOf(new SyncError('DATABASE_UNAVAILABLE', 'down'))).toBe(1);
    expect(exitCodeOf(new SyncError('INTERNAL_INVARIANT', 'a bug'))).toBe(1);
    expect(exitCodeOf(new Error('surprise'))).toBe(1);
    expect(exitCodeOf('a string')).toBe(1);
  });
});

describe('the catalogue', () => {
  it('gives each code a failure class and a when text', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(['transient', 'systemic', 'permanent'], code).toContain(entry.failureClass);
      expect(entry.when.length, code).toBeGreaterThan(10);
    }
  });

  it('classes input-file errors as permanent and invariant breaches as budgeted', () => {
    const error = new SyncError('INGEST_INPUT_INVALID', 'a.csv:1: empty');
    expect(error.failureClass).toBe('permanent');
    expect(ERROR_CODES.INTERNAL_INVARIANT).toMatchObject({ failureClass: 'transient', budgeted: true });
  });
});
