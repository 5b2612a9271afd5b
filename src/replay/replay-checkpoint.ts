import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SyncError } from '../failures/errors.ts';
import { UsageError } from '../failures/usage-error.ts';
import type { PartitionPosition } from './range-progress.ts';

/**
 * The file `replay --checkpoint` writes and `--resume` reads: which topic and filter the run was
 * for, and where each partition got to. Offsets are decimal strings (int64 does not fit JSON numbers).
 */
export interface ReplayCheckpoint {
  topic: string;
  key?: string;
  includeSuperseded: boolean;
  positions: PartitionPosition[];
}

interface CheckpointFile {
  version: 1;
  saved_at: string;
  topic: string;
  key: string | null;
  include_superseded: boolean;
  partitions: { partition: number; next: string; end: string; done: string[] }[];
}

/**
 * Refuses a checkpoint path that is a symbolic link (or anything but a regular file): the run
 * would otherwise write where the link points, perhaps a file the operator never meant to replace.
 * Checked before a replay pushes anything, and again at every save.
 */
export function checkCheckpointPath(path: string): void {
  let kind: string;
  try {
    const stat = lstatSync(path);
    if (stat.isFile()) return;
    kind = stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // created by the first save
    kind = `not usable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  throw new UsageError(
    `--checkpoint ${JSON.stringify(path)} is ${kind}: checkpoints are never written through links; name a regular file or a new path`,
  );
}

/**
 * Written to a fresh temporary file beside it and renamed over it, so a crash mid-write never leaves
 * a torn checkpoint. The temporary name is random and opened with `wx` (O_CREAT|O_EXCL, which never
 * follows a link), and rename(2) replaces a link rather than writing through it: a link planted at
 * either name cannot redirect the write.
 */
export function saveCheckpoint(path: string, checkpoint: ReplayCheckpoint, now = new Date()): void {
  checkCheckpointPath(path);
  const file: CheckpointFile = {
    version: 1,
    saved_at: now.toISOString(),
    topic: checkpoint.topic,
    key: checkpoint.key ?? null,
    include_superseded: checkpoint.includeSuperseded,
    partitions: checkpoint.positions.map((p) => ({
      partition: p.partition,
      next: String(p.next),
      end: String(p.end),
      done: p.done.map(String),
    })),
  };
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new UsageError(
      `--checkpoint ${JSON.stringify(path)}: cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

export function loadCheckpoint(path: string): ReplayCheckpoint {
  let file: CheckpointFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as CheckpointFile;
  } catch (error) {
    throw new SyncError(
      'CONFIG_INVALID',
      `--resume ${path}: not a readable replay checkpoint (${(error as Error).message})`,
    );
  }
  if (file.version !== 1 || !Array.isArray(file.partitions)) {
    throw new SyncError('CONFIG_INVALID', `--resume ${path}: not a replay checkpoint of this version`);
  }
  return {
    topic: file.topic,
    ...(file.key === null ? {} : { key: file.key }),
    includeSuperseded: file.include_superseded,
    positions: file.partitions.map((p) => ({
      partition: p.partition,
      next: BigInt(p.next),
      end: BigInt(p.end),
      done: p.done.map(BigInt),
    })),
  };
}

/** The hint printed when a replay stops, for operators who did not ask for a checkpoint file. */
export function resumeHint(positions: PartitionPosition[], checkpointPath: string | undefined): string {
  const open = positions.filter((p) => p.next < p.end);
  if (open.length === 0) return 'replay: nothing left to resume';
  if (checkpointPath) return `replay: resume with --resume ${checkpointPath}`;
  const where = open.map((p) => `--partition ${p.partition} --from-offset ${p.next}`).join('; ');
  const repeats = open.some((p) => p.done.length > 0)
    ? ' (some records after those offsets finished and would be pushed again: --checkpoint <file> avoids that)'
    : '';
  return `replay: resume with ${where}${repeats}`;
}
