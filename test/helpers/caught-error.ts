import { expect } from 'vitest';
import { SyncError } from '../../src/failures/errors.ts';

/** The catalogued error `promise` rejects with; fails the test when it resolves or rejects otherwise. */
export async function rejectionOf(promise: Promise<unknown>): Promise<SyncError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SyncError);
    return error as SyncError;
  }
  throw new Error('expected a rejection with a catalogued error (SyncError), but it resolved');
}

/** The catalogued error `run` throws; fails the test when it returns or throws something else. */
export function thrownBy(run: () => unknown): SyncError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SyncError);
    return error as SyncError;
  }
  throw new Error('expected a catalogued error (SyncError), but it returned');
}
