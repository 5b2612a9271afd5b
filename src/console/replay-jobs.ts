import { messageOf } from '../failures/errors.ts';
import type { StoppedEarly } from '../platform/kafka/read-budget.ts';
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
   * engine says where to resume); `onProgress` gets each line the engine reports meanwhile.
   */
  run(
    selection: ReplaySelection,
    onProgress: (line: string) => void,
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
  /** The last progress lines, oldest first. */
  progress: string[];
  totals: Record<string, unknown> | undefined;
  error: string | undefined;
}

const PROGRESS_LINES = 40; // kept for the page; the log has every line

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
    return this.#job && { ...this.#job, progress: [...this.#job.progress] };
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
      progress: [],
      totals: undefined,
      error: undefined,
      stoppedBy: undefined,
    };
    this.#job = job;
    const stop = new AbortController();
    this.#stop = stop;
    const onProgress = (line: string) => {
      job.progress.push(line);
      if (job.progress.length > PROGRESS_LINES) job.progress.shift();
    };
    this.#done = this.#runner.run(selection, onProgress, stop.signal).then(
      (totals) => {
        const state = stop.signal.aborted ? 'stopped' : 'finished';
        Object.assign(job, { state, totals, finishedAt: this.#now() });
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
