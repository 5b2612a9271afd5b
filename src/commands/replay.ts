import { createFinanceClient, createPusher, type Infrastructure } from '../app.ts';
import { SyncError } from '../core/errors.ts';
import type { PartitionPosition } from '../core/range-progress.ts';
import { type CommandOutput, processOutput } from './command-output.ts';
import { loadCheckpoint } from './replay-checkpoint.ts';
import { indexNewestByKey } from './replay-index.ts';
import { rangeLine } from './replay-report.ts';
import { type ReplayOptions, ReplayRun } from './replay-run.ts';
import { selectRanges } from './topic-selection.ts';

export type { ReplaySummary } from './replay-report.ts';
export type { ReplayOptions } from './replay-run.ts';

/**
 * Re-pushes a range of invoice.lines_ingested to finance regardless of what was recorded (`force`),
 * each push announced like the consumer's, through the pusher's engine: keys concurrently, each
 * key in order, under `--max-in-flight`, the finance client's adaptive limit and `--rate`. By default
 * a record superseded by a newer one of its key is not pushed, so finance ends on the newest version.
 * It reads through throwaway groups: the pusher group's offsets never move. Interrupted (SIGINT via
 * `options.signal`) or stopped by a failure, it finishes what is in flight and says (and with
 * `--checkpoint` saves) where to resume.
 */
export async function replayCommand(
  infra: Infrastructure,
  options: ReplayOptions,
  output: CommandOutput = processOutput,
) {
  const topic = infra.config.topics.linesIngested;
  const resumed = options.resume === undefined ? undefined : loadCheckpoint(options.resume);
  if (resumed && resumed.topic !== topic) {
    throw new SyncError(
      'CONFIG_INVALID',
      `--resume ${options.resume}: the checkpoint is for ${resumed.topic}, not ${topic} (TOPIC_LINES_INGESTED)`,
    );
  }
  const settings: ReplayOptions = resumed
    ? { ...options, key: resumed.key, includeSuperseded: resumed.includeSuperseded }
    : options;
  const finance = settings.dryRun ? undefined : financeFor(infra, settings);
  try {
    const positions = resumed?.positions ?? (await positionsOf(infra, topic, settings));
    output.err(
      rangeLine(
        topic,
        positions.map((p) => ({ partition: p.partition, start: p.next, end: p.end })),
      ),
    );
    const newest = settings.includeSuperseded
      ? undefined
      : await indexNewestByKey(infra.kafka, topic, positions, infra.config.kafka.sessionTimeoutMs);
    const pusher = finance && createPusher(infra, finance);
    return await new ReplayRun({
      infra,
      options: settings,
      output,
      topic,
      positions,
      newest,
      pusher,
    }).execute();
  } finally {
    await finance?.close();
  }
}

function financeFor(infra: Infrastructure, options: ReplayOptions) {
  const finance = createFinanceClient(infra, { maxInFlight: options.maxInFlight });
  if (!finance) {
    throw new SyncError(
      'CONFIG_INVALID',
      `replay cannot push: ${infra.config.finance.disabledReason} (--dry-run works without it)`,
    );
  }
  return finance;
}

async function positionsOf(
  infra: Infrastructure,
  topic: string,
  options: ReplayOptions,
): Promise<PartitionPosition[]> {
  const ranges = await selectRanges(infra.kafka, topic, options);
  return ranges.map((r) => ({ partition: r.partition, next: r.start, end: r.end, done: [] }));
}
