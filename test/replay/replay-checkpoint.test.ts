import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { UsageError } from '../../src/failures/usage-error.ts';
import { checkCheckpointPath, loadCheckpoint, saveCheckpoint } from '../../src/replay/replay-checkpoint.ts';

const CHECKPOINT = {
  topic: 'invoice.lines_ingested',
  includeSuperseded: false,
  positions: [
    {
      partition: 1,
      next: 9_007_199_254_740_993n,
      end: 9_007_199_254_741_000n,
      done: [9_007_199_254_740_995n],
    },
  ],
};

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ifs-checkpoint-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('replay checkpoint file', () => {
  it('round-trips positions as int64 strings, and leaves no temporary file behind', () => {
    const dir = scratchDir();
    const path = join(dir, 'replay.json');
    saveCheckpoint(path, CHECKPOINT);
    saveCheckpoint(path, CHECKPOINT); // replacing an existing regular file is the normal case
    expect(loadCheckpoint(path)).toEqual(CHECKPOINT);
    expect(readdirSync(dir)).toEqual(['replay.json']);
  });

  it('is never written through a symbolic link: the link target stays as it was, with a usage error', () => {
    const dir = scratchDir();
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'keep me\n');
    const link = join(dir, 'replay.json');
    symlinkSync(target, link);

    expect(() => saveCheckpoint(link, CHECKPOINT)).toThrow(UsageError);
    expect(() => saveCheckpoint(link, CHECKPOINT)).toThrow(
      `--checkpoint "${link}" is a symbolic link: checkpoints are never written through links; name a regular file or a new path`,
    );
    expect(() => checkCheckpointPath(link)).toThrow(UsageError);
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
    expect(readdirSync(dir).sort()).toEqual(['precious.txt', 'replay.json']);
  });

  it('refuses a dangling link too (writing would create its target)', () => {
    const dir = scratchDir();
    const link = join(dir, 'replay.json');
    symlinkSync(join(dir, 'elsewhere.json'), link);
    expect(() => saveCheckpoint(link, CHECKPOINT)).toThrow(/is a symbolic link/);
    expect(readdirSync(dir)).toEqual(['replay.json']);
  });

  it('ignores a link planted at the old fixed temporary name', () => {
    const dir = scratchDir();
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'keep me\n');
    const path = join(dir, 'replay.json');
    symlinkSync(target, `${path}.tmp`);
    saveCheckpoint(path, CHECKPOINT);
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
    expect(loadCheckpoint(path)).toEqual(CHECKPOINT);
  });

  it('refuses a directory, and says why a write failed without a stack trace', () => {
    const dir = scratchDir();
    expect(() => checkCheckpointPath(dir)).toThrow(/is not a regular file/);
    expect(() => saveCheckpoint(join(dir, 'missing', 'replay.json'), CHECKPOINT)).toThrow(
      new UsageError(`--checkpoint "${join(dir, 'missing', 'replay.json')}": cannot be written (ENOENT)`),
    );
  });
});
