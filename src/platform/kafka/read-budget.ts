/**
 * How much one read of a topic may cost: a number of records and a time. The console's reads
 * (replay preview, invoice search) run per request against topics of any size, so each is bounded
 * and says when and why it stopped before the end of its range. Pure bookkeeping: the reader
 * asks before each record and stops when told.
 */
export interface ReadLimits {
  /** Records handed over at most; unset: no limit. */
  maxRecords?: number;
  /** Milliseconds the read may take, joining included; unset: no limit. */
  timeoutMs?: number;
}

export type StopReason = 'record limit' | 'time limit';

/** Why a bounded read ended before its range did, and how many records it had read by then. */
export interface StoppedEarly {
  reason: StopReason;
  read: number;
}

/** The operator's sentence for a stop: "stopped early after 10000 records (record limit)". */
export function stoppedEarlyText(stopped: StoppedEarly): string {
  return `stopped early after ${stopped.read} record${stopped.read === 1 ? '' : 's'} (${stopped.reason})`;
}

export interface BudgetTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const SYSTEM_TIMERS: BudgetTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * One read's budget. `admit()` before handing a record over: false once the record limit is
 * reached (the record is then NOT read, so a range of exactly `maxRecords` records ends normally).
 * The clock starts at construction; when it runs out `onStop` is called once, and so it is on the
 * first refused record, unless `end()` came first. `stoppedEarly` says which limit ended the read, if any.
 */
export class ReadBudget {
  readonly #maxRecords: number;
  readonly #onStop: (reason: StopReason) => void;
  readonly #timers: BudgetTimers;
  readonly #timer: unknown;
  #read = 0;
  #stopped: StopReason | undefined;
  #ended = false;

  constructor(limits: ReadLimits, onStop: (reason: StopReason) => void, timers = SYSTEM_TIMERS) {
    this.#maxRecords = limits.maxRecords ?? Number.POSITIVE_INFINITY;
    this.#onStop = onStop;
    this.#timers = timers;
    this.#timer =
      limits.timeoutMs === undefined
        ? undefined
        : timers.setTimeout(() => this.#stop('time limit'), Math.max(0, limits.timeoutMs));
  }

  /** True: hand the next record over (and count it). False: the read must stop now. */
  admit(): boolean {
    if (this.#stopped !== undefined) return false;
    if (this.#read >= this.#maxRecords) {
      this.#stop('record limit');
      return false;
    }
    this.#read += 1;
    return true;
  }

  get read(): number {
    return this.#read;
  }

  get stopped(): boolean {
    return this.#stopped !== undefined;
  }

  get stoppedEarly(): StoppedEarly | undefined {
    return this.#stopped === undefined ? undefined : { reason: this.#stopped, read: this.#read };
  }

  /**
   * The read ended (its range is through, or it failed): the clock stops, and a limit reached
   * afterwards (while the reader disconnects, say) no longer counts as stopping it early.
   */
  end(): void {
    this.#ended = true;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
  }

  #stop(reason: StopReason): void {
    if (this.#stopped !== undefined || this.#ended) return;
    this.#stopped = reason;
    this.#timers.clearTimeout(this.#timer);
    this.#onStop(reason);
  }
}
