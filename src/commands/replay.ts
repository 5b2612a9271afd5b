import type { PartitionRange, RangeSelection } from '../adapters/kafka/offset-range.ts';
import { type RangeRecord, readRange } from '../adapters/kafka/topic-range-reader.ts';
import { createFinanceClient, createPusher, type Infrastructure } from '../app.ts';
import type { RecordContext } from '../consumers/batch-processor.ts';
import { deadLetter } from '../consumers/dead-letter.ts';
import type { InvoicePusher } from '../consumers/pusher/invoice-pusher.ts';
import { failureClassOf, isSyncError, SyncError } from '../core/errors.ts';
import { normalizeInvoice } from '../core/normalize-invoice.ts';
import { requireKeyMatches } from '../core/record-key.ts';
import type { Logger } from '../ops/logger.ts';
import { type CommandOutput, processOutput } from './command-output.ts';
import {
  deadLetteredLine,
  dryRunLine,
  dryRunRejectLine,
  emptySummary,
  formatReplaySummary,
  type ProgressOptions,
  progressTicker,
  type ReplaySummary,
  rangeLine,
} from './replay-report.ts';
import { selectRanges } from './topic-selection.ts';

export type { ReplaySummary } from './replay-report.ts';

export interface ReplayOptions extends RangeSelection {
  /** Only records with exactly this key. */
  key?: string;
  /** Decode and list, push nothing. */
  dryRun: boolean;
  /** Print the summary as JSON instead of text. */
  json?: boolean;
  progress?: ProgressOptions;
}

type Outcome = 'created' | 'updated' | 'skipped' | 'dead_lettered';

/**
 * Re-pushes a range of invoice.lines_ingested to finance regardless of what was recorded
 * (`force`), each push announced like the consumer's. It reads through a throwaway group, so the
 * pusher group's offsets never move. Records are handled one at a time, in offset order per
 * partition: a transient or systemic failure stops the replay at that record, and the error says
 * where to resume.
 */
export async function replayCommand(
  infra: Infrastructure,
  options: ReplayOptions,
  output: CommandOutput = processOutput,
): Promise<ReplaySummary> {
  const financeClient = options.dryRun ? undefined : createFinanceClient(infra);
  if (!options.dryRun && !financeClient) {
    throw new SyncError(
      'CONFIG_INVALID',
      `replay cannot push: ${infra.config.finance.disabledReason} (--dry-run works without it)`,
    );
  }
  const topic = infra.config.topics.linesIngested;
  try {
    const ranges = await selectRanges(infra.kafka, topic, options);
    output.err(rangeLine(topic, ranges));
    const summary = emptySummary(options.dryRun);
    const pusher = financeClient && createPusher(infra, financeClient);
    const onRecord = replayHandler({ infra, options, output, summary, pusher, ranges });
    await readRange({
      kafka: infra.kafka,
      topic,
      ranges,
      onRecord,
      groupPrefix: 'invoice-finance-sync-replay',
      sessionTimeoutMs: infra.config.kafka.sessionTimeoutMs,
    });
    output.out(options.json ? JSON.stringify(summary) : formatReplaySummary(summary));
    return summary;
  } finally {
    await financeClient?.close();
  }
}

interface ReplayRun {
  infra: Infrastructure;
  options: ReplayOptions;
  output: CommandOutput;
  summary: ReplaySummary;
  /** Undefined in a dry run. */
  pusher: InvoicePusher | undefined;
  ranges: PartitionRange[];
}

/** Handles each record of the range: filter by key, push (or list), count, report progress. */
function replayHandler(run: ReplayRun): (record: RangeRecord) => Promise<void> {
  const { infra, options, output, summary, pusher } = run;
  const log = infra.log.child({ command: 'replay' });
  const tick = progressTicker(output.err, options.progress);
  // Where each partition got to, for the resume hint when the replay stops.
  const next = new Map(run.ranges.map((r) => [r.partition, r.start]));
  return async (record) => {
    summary.read += 1;
    const key = record.message.key?.toString('utf8') ?? null;
    if (options.key === undefined || key === options.key) {
      summary.selected += 1;
      try {
        if (pusher) count(summary, await replayRecord(run, pusher, record, log));
        else output.out(await dryRunRecord(infra, record, key));
      } catch (error) {
        output.err(formatReplaySummary(summary));
        throw stoppedAt(error, record, next);
      }
    } else {
      summary.skipped += 1;
    }
    next.set(record.partition, BigInt(record.offset) + 1n);
    tick(summary, record);
  };
}

/** Decodes and force-pushes one record; a permanent failure is dead-lettered exactly like the consumer does. */
async function replayRecord(
  { infra, output }: ReplayRun,
  pusher: InvoicePusher,
  record: RangeRecord,
  log: Logger,
): Promise<Outcome> {
  const context = recordContext(record, log);
  try {
    const event = await infra.codec.decode(record.message.value, infra.contracts.linesIngested);
    requireKeyMatches(record.message.key === null ? null : context.key, event);
    const result = await pusher.push(event, context.log.child({ event_id: event.event_id }), { force: true });
    return result.outcome;
  } catch (error) {
    if (failureClassOf(error) !== 'permanent') throw error;
    await deadLetter(infra.sender, infra.config.topics.deadLetter, context, error);
    // The operator watches this run: one short line for them, the details in the log.
    output.err(deadLetteredLine({ ...record, key: context.key }, reasonOf(error)));
    context.log.info({ err: error }, 'replay: event dead-lettered');
    return 'dead_lettered';
  }
}

/** The line a dry run prints: the event, or why a real run would dead-letter it. */
async function dryRunRecord(infra: Infrastructure, record: RangeRecord, key: string | null): Promise<string> {
  const at = { partition: record.partition, offset: record.offset, key };
  try {
    const event = await infra.codec.decode(record.message.value, infra.contracts.linesIngested);
    requireKeyMatches(key, event); // the same validation a push runs first
    normalizeInvoice(event, infra.config.taxWords);
    return dryRunLine(at, event);
  } catch (error) {
    if (failureClassOf(error) !== 'permanent') throw error;
    return dryRunRejectLine(at, reasonOf(error));
  }
}

function reasonOf(error: unknown): string {
  return isSyncError(error) ? `${error.code}: ${error.message}` : String(error);
}

function count(summary: ReplaySummary, outcome: Outcome): void {
  summary[outcome] += 1;
  if (outcome === 'created' || outcome === 'updated') summary.pushed += 1;
}

function recordContext(record: RangeRecord, log: Logger): RecordContext {
  const key = record.message.key?.toString('utf8') ?? '';
  const { topic, partition, offset } = record;
  return {
    topic,
    partition,
    offset,
    key,
    message: record.message,
    log: log.child({ topic, partition, offset, invoice_key: key }),
    // A replay owns no partition: nothing can revoke it.
    signal: new AbortController().signal,
  };
}

/** The failure, re-told with where the replay stopped and how to resume from there. */
function stoppedAt(error: unknown, record: RangeRecord, next: Map<number, bigint>): Error {
  const others = [...next]
    .filter(([partition]) => partition !== record.partition)
    .map(([partition, offset]) => `${partition} at ${offset}`);
  const message = [
    `replay stopped at ${record.topic} partition ${record.partition} offset ${record.offset}:`,
    `${(error as Error)?.message ?? String(error)}.`,
    `Nothing from that offset on was pushed in partition ${record.partition}; resume with`,
    `--partition ${record.partition} --from-offset ${record.offset}`,
    others.length > 0 ? `(other partitions got to: ${others.join(', ')})` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const where = { partition: record.partition, offset: record.offset };
  return isSyncError(error)
    ? new SyncError(error.code, message, { cause: error, details: { ...error.details, ...where } })
    : new SyncError('UNEXPECTED', message, { cause: error, details: where });
}
