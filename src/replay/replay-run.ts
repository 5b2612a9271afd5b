import type { RecordContext } from '../consuming/record-attempt.ts';
import { codeOf, isSyncError, messageOf, SyncError } from '../failures/errors.ts';
import { decide } from '../failures/failure-policy.ts';
import { requireLineCount } from '../invoice/event-limits.ts';
import { invoiceKey } from '../invoice/invoice-events.ts';
import { normalizeInvoice } from '../invoice/normalize-invoice.ts';
import type { Logger } from '../ops/logger.ts';
import type { RangeSelection } from '../platform/kafka/offset-range.ts';
import type { ReadLimits } from '../platform/kafka/read-budget.ts';
import { type RangeRecord, readGroupPrefix, readRange } from '../platform/kafka/topic-range-reader.ts';
import type { Messaging } from '../platform/messaging.ts';
import { type LinesIngestedReader, readLinesIngested } from '../push/read-lines-ingested.ts';
import type { NewestByKey } from './newest-by-key.ts';
import { type PartitionPosition, RangeProgress } from './range-progress.ts';
import { resumeHint, saveCheckpoint } from './replay-checkpoint.ts';
import type { RecordAt, RecordEvent, ReplayObserver, ReplaySummary } from './replay-events.ts';
import type { ReplayPush, ReplayPushOutcome } from './replay-push.ts';
import { emptySummary, listedInvoice, type ProgressOptions, progressTicker } from './replay-report.ts';
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

interface ReplayRunDeps {
  infra: Messaging;
  options: ReplayOptions;
  /** Told everything the run does, as it goes. */
  emit: ReplayObserver;
  topic: string;
  positions: PartitionPosition[];
  /** Undefined with --include-superseded. */
  newest: NewestByKey | undefined;
  /** Undefined in a dry run. */
  push: ReplayPush | undefined;
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
    const { options, infra } = deps;
    this.#summary = emptySummary(options.dryRun);
    this.#progress = new RangeProgress(deps.positions);
    this.#scheduler = new ReplayScheduler({
      maxInFlight: options.maxInFlight ?? infra.config.pusher.maxInFlight,
      rate: options.rate,
    });
    const total = deps.positions.reduce((sum, p) => sum + Number(p.end - p.next) - p.done.length, 0);
    this.#ticker = progressTicker(deps.emit, total, options.progress);
    this.#log = infra.log.child({ command: 'replay' });
  }

  async execute(): Promise<ReplaySummary> {
    const { infra, options, topic, emit } = this.#deps;
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
        emit({ type: 'stopped-early', pass: 'range', stopped_early: result.stoppedEarly });
      }
    } catch (error) {
      if (error !== STOP) readError = error;
    }
    const failure = await this.#scheduler.drain().then(
      () => readError,
      (error: unknown) => error,
    );
    this.#saveCheckpoint(true);
    if (failure !== undefined) throw this.#stopped(failure);
    this.#summary.interrupted = options.signal?.aborted === true;
    const ending = { summary: this.#summary, progress: this.#ticker.figures(this.#done) };
    if (!this.#summary.interrupted) emit({ type: 'finished', ...ending });
    else emit({ type: 'stopped', cause: 'interrupted', ...ending, resume_hint: this.#resumeHint() });
    return this.#summary;
  }

  async #onRecord(record: RangeRecord): Promise<void> {
    if (this.#deps.options.signal?.aborted || this.#scheduler.failure) throw STOP;
    const { options, newest } = this.#deps;
    const partition = record.partition;
    const offset = BigInt(record.offset);
    const key = record.message.key?.toString('utf8') ?? null;
    const at: RecordAt = { partition, offset: record.offset, key };
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
      this.#tell({ type: 'record', ...at, outcome: 'superseded', superseded_by: String(newer) });
      return this.#finish(record);
    }
    const { push } = this.#deps;
    if (!push) {
      this.#tell(await this.#dryRun(record, at));
      return this.#finish(record);
    }
    // Records without a key have no order to keep: each gets a lane of its own.
    await this.#scheduler.schedule(key ?? `\u0000${partition}:${offset}`, async () => {
      try {
        this.#count(at, await push.push(this.#context(record)));
      } catch (error) {
        this.#failedAt ??= record;
        throw error;
      }
      this.#finish(record);
    });
  }

  #tell(event: RecordEvent): void {
    this.#deps.emit(event);
  }

  #finish(record: RangeRecord): void {
    this.#progress.finish(record.partition, BigInt(record.offset));
    this.#done += 1;
    this.#ticker.tick(this.#summary, this.#done);
    this.#saveCheckpoint(false);
  }

  /** What the dry run lists: the event, or why a real run would dead-letter it. */
  async #dryRun(record: RangeRecord, at: RecordAt): Promise<RecordEvent> {
    const { infra } = this.#deps;
    try {
      // The same checks a push runs first, then the invoice rules.
      const event = await readLinesIngested(this.#reader(), record.message.value, at.key);
      requireLineCount(event, invoiceKey(event), infra.config.events.maxLines);
      normalizeInvoice(event, infra.config.taxWords);
      return { type: 'record', ...at, outcome: 'listed', invoice: listedInvoice(event) };
    } catch (error) {
      // The policy's own first question: would the consumer dead-letter this record?
      if (!isPermanent(error)) throw error;
      return {
        type: 'record',
        ...at,
        outcome: 'would_dead_letter',
        code: codeOf(error),
        reason: messageOf(error),
      };
    }
  }

  #reader(): LinesIngestedReader {
    const { infra } = this.#deps;
    return { codec: infra.codec, contracts: infra.contracts, maxEventBytes: infra.config.events.maxBytes };
  }

  #count(at: RecordAt, pushed: ReplayPushOutcome): void {
    this.#summary[pushed.outcome] += 1;
    if (pushed.outcome === 'created' || pushed.outcome === 'updated') this.#summary.pushed += 1;
    this.#tell(
      pushed.outcome === 'dead_lettered'
        ? {
            type: 'record',
            ...at,
            outcome: 'dead_lettered',
            code: codeOf(pushed.reason),
            reason: messageOf(pushed.reason),
          }
        : { type: 'record', ...at, outcome: pushed.outcome },
    );
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

  #resumeHint(): string {
    return resumeHint(this.#progress.positions(), this.#deps.options.checkpoint);
  }

  #context(record: RangeRecord): RecordContext {
    const key = record.message.key?.toString('utf8') ?? '';
    const { topic, partition, offset } = record;
    const log = this.#log.child({ topic, partition, offset, invoice_key: key });
    // A replay owns no partition: nothing can revoke it.
    return { topic, partition, offset, key, message: record.message, log, signal: NEVER };
  }

  /** Tells where the replay stopped, and re-tells the failure with how to resume from there. */
  #stopped(error: unknown): SyncError {
    const { emit, topic } = this.#deps;
    const hint = this.#resumeHint();
    const at = this.#failedAt;
    emit({
      type: 'stopped',
      cause: 'failed',
      summary: this.#summary,
      progress: this.#ticker.figures(this.#done),
      resume_hint: hint,
      error: { code: codeOf(error), message: messageOf(error) },
      ...(at ? { at: { partition: at.partition, offset: at.offset } } : {}),
    });
    const where = at ? ` at ${topic} partition ${at.partition} offset ${at.offset}` : '';
    const message = `replay stopped${where}: ${messageOf(error)}. ${hint.replace(/^replay: /, '')}`;
    const details = at ? { partition: at.partition, offset: at.offset } : {};
    return isSyncError(error)
      ? new SyncError(error.code, message, { cause: error, details: { ...error.details, ...details } })
      : new SyncError('UNEXPECTED', message, { cause: error, details });
  }
}

const NEVER = new AbortController().signal;

function isPermanent(error: unknown): boolean {
  return decide(error, { attempts: 1, maxAttempts: Number.POSITIVE_INFINITY }) === 'dead-letter';
}
