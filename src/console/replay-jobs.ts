import { messageOf } from '../failures/errors.ts';
import type { StoppedEarly } from '../platform/kafka/read-budget.ts';
import type { ReplayEvent, ReplayObserver } from '../replay/replay-events.ts';
import { replayLines } from '../replay/replay-output.ts';
import type { Actor } from './console-auth.ts';

/** What the operator chose on the replay page; the same choices as the `replay` command. */
export interface ReplaySelection {
  partitions: number[];
  fromOffset?: bigint;
  toOffset?: bigint;
  fromTime?: Date;
  toTime?: Date;
  key?: string;
}

export interface ReplayPreview {
  /** One line per selected record (the dry run's listing), the first `maxRows` of them. */
  rows: string[];
  /** Rows left out beyond `maxRows`. */
  more: number;
  /** What the replay said about the range. */
  notes: string[];
  totals: Record<string, unknown>;
  /**
   * Set when OPS_READ_MAX_RECORDS or OPS_READ_TIMEOUT_MS ended the dry run before the end of the
   * range: the rows and totals cover only the first `read` records.
   */
  stoppedEarly?: StoppedEarly;
}

/**
 * The console's view of the replay engine. Narrow on purpose: the engine (`replay` command) may
 * change, and only the adapter that implements this follows it.
 */
export interface ReplayRunner {
  preview(selection: ReplaySelection, maxRows: number): Promise<ReplayPreview>;
  /**
   * Runs the replay to its end, or until `signal` aborts (then what is in flight finishes and the
   * engine says where to resume); `onEvent` is told each of the engine's events meanwhile.
   */
  run(
    selection: ReplaySelection,
    onEvent: ReplayObserver,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>>;
}

export interface ReplayJob {
  actor: Actor;
  selection: ReplaySelection;
  startedAt: number;
  finishedAt: number | undefined;
  state: 'running' | 'finished' | 'stopped' | 'failed';
  /** Who stopped it, when it was stopped before its end. */
  stoppedBy: string | undefined;
  /** The engine's last events that say something (progress, notes, dead letters), oldest first. */
  events: ReplayEvent[];
  totals: Record<string, unknown> | undefined;
  error: string | undefined;
}

const EVENTS_KEPT = 40; // for the page; the log has every push

/** One replay at a time per service: a second start while one runs is refused. */
export class ReplayJobs {
  readonly #runner: ReplayRunner;
  readonly #now: () => number;
  #job: ReplayJob | undefined;
  #done: Promise<void> | undefined;
  #stop: AbortController | undefined;

  constructor(runner: ReplayRunner, now: () => number = Date.now) {
    this.#runner = runner;
    this.#now = now;
  }

  /** The running replay, else the last one (until the service restarts). */
  current(): ReplayJob | undefined {
    return this.#job && { ...this.#job, events: [...this.#job.events] };
  }

  preview(selection: ReplaySelection, maxRows: number): Promise<ReplayPreview> {
    return this.#runner.preview(selection, maxRows);
  }

  start(
    selection: ReplaySelection,
    actor: Actor,
  ): { ok: true; job: ReplayJob } | { ok: false; message: string } {
    const running = this.#job?.state === 'running' ? this.#job : undefined;
    if (running) {
      return {
        ok: false,
        message: `A replay is already running (started by ${running.actor.name} at ${new Date(running.startedAt).toISOString()}); one at a time per service.`,
      };
    }
    const job: ReplayJob = {
      actor,
      selection,
      startedAt: this.#now(),
      finishedAt: undefined,
      state: 'running',
      events: [],
      totals: undefined,
      error: undefined,
      stoppedBy: undefined,
    };
    this.#job = job;
    const stop = new AbortController();
    this.#stop = stop;
    let last: ReplayEvent | undefined;
    const onEvent = (event: ReplayEvent) => {
      last = event;
      if (replayLines(event).length === 0) return; // a push that went well: counted, not shown
      job.events.push(event);
      if (job.events.length > EVENTS_KEPT) job.events.shift();
    };
    this.#done = this.#runner.run(selection, onEvent, stop.signal).then(
      (totals) => {
        // The engine's last event says how the run ended; it is the one record of it.
        const ended = last?.type === 'finished' || last?.type === 'stopped' ? last : undefined;
        const interrupted = ended ? ended.type === 'stopped' : stop.signal.aborted;
        const state = interrupted ? 'stopped' : 'finished';
        Object.assign(job, { state, totals: ended ? { ...ended.summary } : totals, finishedAt: this.#now() });
      },
      (error: unknown) => {
        Object.assign(job, { state: 'failed', error: messageOf(error), finishedAt: this.#now() });
      },
    );
    return { ok: true, job };
  }

  /** Stops the running replay (it finishes what is in flight); false when none runs. */
  stop(by: string): boolean {
    if (this.#job?.state !== 'running' || !this.#stop) return false;
    this.#job.stoppedBy = by;
    this.#stop.abort();
    return true;
  }

  /** Resolves once the running replay (if any) has ended. */
  async settled(): Promise<void> {
    await this.#done;
  }
}
