import type { StoppedEarly } from '../platform/kafka/read-budget.ts';

/**
 * What a replay run tells as it goes: one typed stream that the CLI (bar, lines or `--json`) and the
 * console's Replay page both render. Offsets are decimal strings (int64 does not fit JSON numbers);
 * field names are snake_case like the summary, so `--json` prints each event as it is.
 */
export type ReplayEvent =
  | RangeEvent
  | StoppedEarlyEvent
  | RecordEvent
  | ProgressEvent
  | FinishedEvent
  | StoppedEvent;

/** First: what the run will read, per partition; `end` is exclusive. */
export interface RangeEvent {
  type: 'range';
  topic: string;
  dry_run: boolean;
  partitions: { partition: number; start: string; end: string }[];
}

/**
 * Read limits (the console's preview) ended a pass before its range did: the `index` pass that finds
 * newer versions of a key, or the `range` itself (the rest of it is not listed).
 */
export interface StoppedEarlyEvent {
  type: 'stopped-early';
  pass: 'index' | 'range';
  stopped_early: StoppedEarly;
}

/** Where a record is, and its key (null when it has none). */
export interface RecordAt {
  partition: number;
  offset: string;
  key: string | null;
}

/** A record of the dry run's listing: what would be pushed. */
export interface ListedInvoice {
  event_id: string;
  /** ISO date of the invoice period. */
  period: string;
  currency: string;
  total_minor: number;
  lines: number;
}

/**
 * What happened to one selected record (records outside `--key`, or finished by the run a
 * checkpoint resumes, are only counted). `listed` and `would_dead_letter` only in a dry run.
 */
export type RecordEvent = { type: 'record' } & RecordAt &
  (
    | { outcome: 'created' | 'updated' | 'skipped' }
    | { outcome: 'superseded'; superseded_by: string }
    | { outcome: 'dead_lettered'; code: string; reason: string }
    | { outcome: 'listed'; invoice: ListedInvoice }
    | { outcome: 'would_dead_letter'; code: string; reason: string }
  );

/** How far the run is: records handled of the range's total, how fast, and what came of them. */
export interface ProgressFigures {
  done: number;
  total: number;
  /** Records per second since the start. */
  rate: number;
}

/** Every few hundred records or seconds (`progress` options), not per record. */
export interface ProgressEvent extends ProgressFigures {
  type: 'progress';
  pushed: number;
  superseded: number;
  dead_lettered: number;
}

/** Last, when the whole range was handled (or read limits ended it: `summary.stopped_early`). */
export interface FinishedEvent {
  type: 'finished';
  summary: ReplaySummary;
  progress: ProgressFigures;
}

/**
 * Last, when the run ended before its range did: `interrupted` (SIGINT, the console's Stop) or
 * `failed` (a failure the policy stops a replay for; `error` and `at` say which and where).
 */
export interface StoppedEvent {
  type: 'stopped';
  cause: 'interrupted' | 'failed';
  summary: ReplaySummary;
  progress: ProgressFigures;
  /** The operator's next step, e.g. `replay: resume with --partition 3 --from-offset 120`. */
  resume_hint: string;
  error?: { code: string; message: string };
  at?: { partition: number; offset: string };
}

/** Where a run's events go. */
export type ReplayObserver = (event: ReplayEvent) => void;

/** What a replay did. Field names are snake_case like the events, so the JSON reads the same. */
export interface ReplaySummary {
  /** Records read in the range. */
  read: number;
  /** Records read that match `--key` (all of them without a key filter). */
  selected: number;
  /** Records finance accepted: created + updated. */
  pushed: number;
  created: number;
  updated: number;
  /** Permanent failures sent to the dead-letter topic, as the consumer would. */
  dead_lettered: number;
  /** Selected records not pushed because a newer event of the same key is in the topic. */
  superseded: number;
  /** Records read but not pushed: not matching `--key`, or (never when forced) already held by finance. */
  skipped: number;
  dry_run: boolean;
  /** True when SIGINT stopped the run before the end of its range. */
  interrupted: boolean;
  /** Only with read limits (the console's preview): the limit that ended the read before its range did. */
  stopped_early?: StoppedEarly;
}
