import { SyncError } from '../failures/errors.ts';
import { UsageError } from '../failures/usage-error.ts';
import { type CommandOutput, processOutput } from '../operator/command-output.ts';
import { selectRanges } from '../operator/topic-selection.ts';
import { createFinanceClient } from '../platform/finance/create-finance-client.ts';
import { topicExists } from '../platform/kafka/topic-exists.ts';
import type { Messaging } from '../platform/messaging.ts';
import { createPusher, type PushPlatform } from '../push/create-pusher.ts';
import type { PartitionPosition } from './range-progress.ts';
import { checkCheckpointPath, loadCheckpoint } from './replay-checkpoint.ts';
import type { ReplayObserver, ReplaySummary } from './replay-events.ts';
import { indexNewestByKey } from './replay-index.ts';
import { replayRenderer } from './replay-output.ts';
import { ReplayPush } from './replay-push.ts';
import { type ReplayOptions, ReplayRun } from './replay-run.ts';

export type { ReplayOptions } from './replay-run.ts';

/** Terminal: a progress bar redrawn at most every 100 ms; else a line every 500 records or 2 s. */
const BAR_EVERY_MS = 100;

/**
 * Re-pushes a range of invoice.lines_ingested to finance regardless of what was recorded (`force`),
 * each push announced like the consumer's, through the pusher's engine: keys concurrently, each
 * key in order, under `--max-in-flight`, the finance client's adaptive limit and `--rate`. By default
 * a record superseded by a newer one of its key is not pushed, so finance ends on the newest version.
 * It reads through throwaway groups: the pusher group's offsets never move. Interrupted (SIGINT via
 * `options.signal`) or stopped by a failure, it finishes what is in flight and says (and with
 * `--checkpoint` saves) where to resume. A dry run needs only the read-only infrastructure: it
 * creates no database, topic or schema.
 */
export function replayCommand(
  infra: Messaging | PushPlatform,
  options: ReplayOptions,
  output: CommandOutput = processOutput,
): Promise<ReplaySummary> {
  const bar = output.bar !== undefined && options.json !== true;
  const everyMs = Math.min(options.progress?.everyMs ?? BAR_EVERY_MS, BAR_EVERY_MS);
  const progress = bar ? { ...options.progress, everyMs } : options.progress;
  return runReplay(infra, { ...options, progress }, replayRenderer(output, { json: options.json }));
}

/**
 * The replay itself, telling `emit` every event of it (range, records, progress, the end); the
 * command renders them as text or JSON lines, the console keeps them for its Replay page.
 */
export async function runReplay(
  infra: Messaging | PushPlatform,
  options: ReplayOptions,
  emit: ReplayObserver,
): Promise<ReplaySummary> {
  const topic = infra.config.topics.linesIngested;
  // Before anything is pushed: a link at --checkpoint would otherwise fail the first save mid-run.
  if (options.checkpoint !== undefined) checkCheckpointPath(options.checkpoint);
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
  const deadline =
    settings.limits?.timeoutMs === undefined ? undefined : Date.now() + settings.limits.timeoutMs;
  const full = settings.dryRun ? undefined : pushing(infra);
  const finance = full && financeFor(full, settings);
  try {
    if (!(await topicExists(infra.kafka, topic)))
      throw new UsageError(`${topic} does not exist: nothing to replay`);
    const positions = resumed?.positions ?? (await positionsOf(infra, topic, settings));
    emit({
      type: 'range',
      topic,
      dry_run: settings.dryRun,
      partitions: positions.map((p) => ({
        partition: p.partition,
        start: String(p.next),
        end: String(p.end),
      })),
    });
    const keyIndex = settings.includeSuperseded
      ? undefined
      : await indexNewestByKey(infra, topic, positions, remaining(settings, deadline));
    if (keyIndex?.stoppedEarly)
      emit({ type: 'stopped-early', pass: 'index', stopped_early: keyIndex.stoppedEarly });
    const push = full && finance && new ReplayPush(full, createPusher(full, finance));
    const runOptions = { ...settings, limits: remaining(settings, deadline) };
    const run = new ReplayRun({
      infra,
      options: runOptions,
      emit,
      topic,
      positions,
      newest: keyIndex?.index,
      push,
    });
    return await run.execute();
  } finally {
    await finance?.close();
  }
}

/** The limits left for the next pass: the record limit per pass, the time limit for both together. */
function remaining(options: ReplayOptions, deadline: number | undefined): ReplayOptions['limits'] {
  if (options.limits === undefined) return undefined;
  return deadline === undefined ? options.limits : { ...options.limits, timeoutMs: deadline - Date.now() };
}

/** Pushing announces and dead-letters: it needs the full infrastructure, not the read-only one. */
function pushing(infra: Messaging | PushPlatform): PushPlatform {
  if ('sender' in infra) return infra as PushPlatform;
  throw new SyncError('UNEXPECTED', 'replay was given the read-only infrastructure for a run that pushes');
}

function financeFor(infra: PushPlatform, options: ReplayOptions) {
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
  infra: Messaging,
  topic: string,
  options: ReplayOptions,
): Promise<PartitionPosition[]> {
  const ranges = await selectRanges(infra.kafka, topic, options);
  return ranges.map((r) => ({ partition: r.partition, next: r.start, end: r.end, done: [] }));
}
