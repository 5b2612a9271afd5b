import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SyncError } from '../core/errors.ts';
import type { PartitionPosition } from '../core/range-progress.ts';

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

/** Written to a temporary file and renamed, so a crash mid-write never leaves a torn checkpoint. */
export function saveCheckpoint(path: string, checkpoint: ReplayCheckpoint, now = new Date()): void {
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
  writeFileSync(`${path}.tmp`, `${JSON.stringify(file, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
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
