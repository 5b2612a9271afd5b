import type { RecordContext } from '../consuming/batch-processor.ts';
import { deadLetter } from '../dead-letters/dead-letter.ts';
import { failureClassOf, isSyncError, messageOf, SyncError } from '../failures/errors.ts';
import { requireLineCount } from '../invoice/event-limits.ts';
import { invoiceKey } from '../invoice/invoice-events.ts';
import { normalizeInvoice } from '../invoice/normalize-invoice.ts';
import type { CommandOutput } from '../operator/command-output.ts';
import type { Logger } from '../ops/logger.ts';
import type { DurableSender } from '../platform/kafka/kafka-client.ts';
import type { RangeSelection } from '../platform/kafka/offset-range.ts';
import type { ReadLimits } from '../platform/kafka/read-budget.ts';
import { type RangeRecord, readGroupPrefix, readRange } from '../platform/kafka/topic-range-reader.ts';
import type { InvoicePusher } from '../push/invoice-pusher.ts';
import { type LinesIngestedReader, readLinesIngested } from '../push/read-lines-ingested.ts';
import type { ReadOnlyInfrastructure } from '../service/read-only-infrastructure.ts';
import type { NewestByKey } from './newest-by-key.ts';
import { type PartitionPosition, RangeProgress } from './range-progress.ts';
import { resumeHint, saveCheckpoint } from './replay-checkpoint.ts';
import {
  deadLetteredLine,
  dryRunLine,
  dryRunRejectLine,
  emptySummary,
  formatReplaySummary,
  type ProgressOptions,
  progressTicker,
  type ReplaySummary,
  stoppedEarlyLine,
  supersededLine,
} from './replay-report.ts';
import { ReplayScheduler } from './replay-scheduler.ts';

export interface ReplayOptions extends RangeSelection {
  /** Only records with exactly this key. */
  key?: string;
  /** Decode and list, push nothing. */
  dryRun: boolean;
  /** Print the summary as JSON instead of text (and progress as plain lines). */
  json?: boolean;
  progress?: ProgressOptions;
  /** Pushes in flight at most (default PUSHER_MAX_IN_FLIGHT). */
  maxInFlight?: number;
  /** Pushes started per second at most. */
  rate?: number;
  /** Also push records a newer event of the same key supersedes (the old, regressing behaviour). */
  includeSuperseded?: boolean;
  /** Save where to resume to this file (periodically and when the run ends or stops). */
  checkpoint?: string;
  /** Continue the run a checkpoint file describes. */
  resume?: string;
  /** Aborted by SIGINT: admit nothing more, finish what is in flight, say where to resume. */
  signal?: AbortSignal;
  /**
   * Records and time the whole run may take, both passes together (the console's preview); the
   * summary's `stopped_early` says when they ended it. The CLI reads its whole range.
   */
  limits?: ReadLimits;
}

type Outcome = 'created' | 'updated' | 'skipped' | 'dead_lettered';

interface ReplayRunDeps {
  infra: ReadOnlyInfrastructure;
  options: ReplayOptions;
  output: CommandOutput;
  topic: string;
  positions: PartitionPosition[];
  /** Undefined with --include-superseded. */
  newest: NewestByKey | undefined;
  /** Undefined in a dry run. */
  pusher: InvoicePusher | undefined;
  /** Where dead letters go; undefined in a dry run. */
  sender: DurableSender | undefined;
}

const CHECKPOINT_EVERY_MS = 2_000;

/** Thrown into the reader to stop it: SIGINT or a failed push. */
const STOP = Symbol('stop replay');

/** One replay run: reads the range, decides per record, schedules pushes, tracks where it got to. */
export class ReplayRun {
  readonly #deps: ReplayRunDeps;
  readonly #summary: ReplaySummary;
  readonly #progress: RangeProgress;
  readonly #scheduler: ReplayScheduler;
  readonly #ticker: ReturnType<typeof progressTicker>;
  readonly #log: Logger;
  #done = 0;
  #savedAt = 0;
  #failedAt: RangeRecord | undefined;

  constructor(deps: ReplayRunDeps) {
    this.#deps = deps;
    const { options, output, infra } = deps;
    this.#summary = emptySummary(options.dryRun);
    this.#progress = new RangeProgress(deps.positions);
    this.#scheduler = new ReplayScheduler({
      maxInFlight: options.maxInFlight ?? infra.config.pusher.maxInFlight,
      rate: options.rate,
    });
    const total = deps.positions.reduce((sum, p) => sum + Number(p.end - p.next) - p.done.length, 0);
    const sink = { line: output.err, bar: options.json ? undefined : output.bar };
    this.#ticker = progressTicker(sink, total, options.progress);
    this.#log = infra.log.child({ command: 'replay' });
  }

  async execute(): Promise<ReplaySummary> {
    const { infra, options, output, topic } = this.#deps;
    let readError: unknown;
    try {
      const result = await readRange({
        kafka: infra.kafka,
        topic,
        ranges: this.#deps.positions.map((p) => ({ partition: p.partition, start: p.next, end: p.end })),
        onRecord: (record) => this.#onRecord(record),
        groupPrefix: readGroupPrefix(infra.config, 'replay'),
        log: infra.log,
        limits: options.limits,
        sessionTimeoutMs: infra.config.kafka.sessionTimeoutMs,
      });
      if (result.stoppedEarly) {
        this.#summary.stopped_early = result.stoppedEarly;
        output.err(stoppedEarlyLine(result.stoppedEarly));
      }
    } catch (error) {
      if (error !== STOP) readError = error;
    }
    const failure = await this.#scheduler.drain().then(
      () => readError,
      (error: unknown) => error,
    );
    this.#saveCheckpoint(true);
    this.#ticker.end(this.#summary, this.#done);
    if (failure !== undefined) throw this.#stopped(failure);
    this.#summary.interrupted = options.signal?.aborted === true;
    if (this.#summary.interrupted) output.err(resumeHint(this.#progress.positions(), options.checkpoint));
    output.out(options.json ? JSON.stringify(this.#summary) : formatReplaySummary(this.#summary));
    return this.#summary;
  }

  async #onRecord(record: RangeRecord): Promise<void> {
    if (this.#deps.options.signal?.aborted || this.#scheduler.failure) throw STOP;
    const { options, newest, output } = this.#deps;
    const partition = record.partition;
    const offset = BigInt(record.offset);
    const key = record.message.key?.toString('utf8') ?? null;
    this.#summary.read += 1;
    this.#progress.begin(partition, offset);
    if (this.#progress.wasDone(partition, offset) || (options.key !== undefined && key !== options.key)) {
      this.#summary.skipped += 1;
      return this.#finish(record);
    }
    this.#summary.selected += 1;
    const newer = newest?.supersededBy(key, offset);
    if (newer !== undefined) {
      this.#summary.superseded += 1;
      (options.dryRun ? output.out : output.err)(supersededLine({ ...record, key }, newer));
      return this.#finish(record);
    }
    if (!this.#deps.pusher) {
      output.out(await this.#dryRun(record, key));
      return this.#finish(record);
    }
    const { pusher, sender } = this.#deps;
    if (!sender) throw new SyncError('UNEXPECTED', 'replay has a pusher but nowhere to dead-letter');
    // Records without a key have no order to keep: each gets a lane of its own.
    await this.#scheduler.schedule(key ?? `\u0000${partition}:${offset}`, async () => {
      try {
        this.#count(await this.#push(pusher, sender, record));
      } catch (error) {
        this.#failedAt ??= record;
        throw error;
      }
      this.#finish(record);
    });
  }

  #finish(record: RangeRecord): void {
    this.#progress.finish(record.partition, BigInt(record.offset));
    this.#done += 1;
    this.#ticker.tick(this.#summary, this.#done);
    this.#saveCheckpoint(false);
  }

  /** Decodes and force-pushes one record; a permanent failure is dead-lettered as the consumer does. */
  async #push(pusher: InvoicePusher, sender: DurableSender, record: RangeRecord): Promise<Outcome> {
    const { infra, output } = this.#deps;
    const context = recordContext(record, this.#log);
    try {
      const key = record.message.key === null ? null : context.key;
      const event = await readLinesIngested(this.#reader(), record.message.value, key);
      const log = context.log.child({ event_id: event.event_id });
      return (await pusher.push(event, log, { force: true })).outcome;
    } catch (error) {
      if (failureClassOf(error) !== 'permanent') throw error;
      await deadLetter(sender, infra.config.topics.deadLetter, context, error);
      // The operator watches this run: one short line for them, the details in the log.
      output.err(deadLetteredLine({ ...record, key: context.key }, reasonOf(error)));
      context.log.info({ err: error }, 'replay: event dead-lettered');
      return 'dead_lettered';
    }
  }

  /** The line a dry run prints: the event, or why a real run would dead-letter it. */
  async #dryRun(record: RangeRecord, key: string | null): Promise<string> {
    const { infra } = this.#deps;
    const at = { partition: record.partition, offset: record.offset, key };
    try {
      // The same checks a push runs first, then the invoice rules.
      const event = await readLinesIngested(this.#reader(), record.message.value, key);
      requireLineCount(event, invoiceKey(event), infra.config.events.maxLines);
      normalizeInvoice(event, infra.config.taxWords);
      return dryRunLine(at, event);
    } catch (error) {
      if (failureClassOf(error) !== 'permanent') throw error;
      return dryRunRejectLine(at, reasonOf(error));
    }
  }

  #reader(): LinesIngestedReader {
    const { infra } = this.#deps;
    return { codec: infra.codec, contracts: infra.contracts, maxEventBytes: infra.config.events.maxBytes };
  }

  #count(outcome: Outcome): void {
    this.#summary[outcome] += 1;
    if (outcome === 'created' || outcome === 'updated') this.#summary.pushed += 1;
  }

  #saveCheckpoint(force: boolean): void {
    const { checkpoint, key, includeSuperseded } = this.#deps.options;
    if (!checkpoint || (!force && Date.now() - this.#savedAt < CHECKPOINT_EVERY_MS)) return;
    this.#savedAt = Date.now();
    saveCheckpoint(checkpoint, {
      topic: this.#deps.topic,
      key,
      includeSuperseded: includeSuperseded === true,
      positions: this.#progress.positions(),
    });
  }

  /** The failure, re-told with where the replay stopped and how to resume from there. */
  #stopped(error: unknown): SyncError {
    const { output, options, topic } = this.#deps;
    output.err(formatReplaySummary(this.#summary));
    const hint = resumeHint(this.#progress.positions(), options.checkpoint);
    output.err(hint);
    const at = this.#failedAt;
    const where = at ? ` at ${topic} partition ${at.partition} offset ${at.offset}` : '';
    const message = `replay stopped${where}: ${messageOf(error)}. ${hint.replace(/^replay: /, '')}`;
    const details = at ? { partition: at.partition, offset: at.offset } : {};
    return isSyncError(error)
      ? new SyncError(error.code, message, { cause: error, details: { ...error.details, ...details } })
      : new SyncError('UNEXPECTED', message, { cause: error, details });
  }
}

function reasonOf(error: unknown): string {
  return isSyncError(error) ? `${error.code}: ${error.message}` : String(error);
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
