import { OffsetTracker } from './offset-tracker.ts';
import type { PartitionParking } from './partition-parking.ts';

/** A partition's records since it was (re)started: which are finished, whether a failure stopped it. */
export class PartitionRun {
  readonly tracker = new OffsetTracker();
  readonly #halt = new AbortController();
  /** Aborted once the run is halted or its generation stops: its records still waiting give up their turn. */
  readonly stop: AbortSignal;

  constructor(generation: AbortSignal) {
    this.stop = AbortSignal.any([generation, this.#halt.signal]);
  }

  get halted(): boolean {
    return this.#halt.signal.aborted;
  }

  halt(): void {
    this.#halt.abort();
  }
  /** The offset after the last record taken: where to fetch again when nothing taken is unfinished. */
  nextFetch = '0';
  highWatermark = 0n;
  /** With parking: which records of the partition are parked; undefined without. */
  parking: PartitionParking | undefined;
  /** Where the current pass reads from. */
  passFrom = 0n;
  /** Moves on each seek of a pass: a batch handler of an earlier position stops taking records. */
  epoch = 0;
}

/** The records taken under one group generation, revoked together when a rebalance begins. */
export class Generation {
  readonly revoked = new AbortController();
  readonly runs = new Map<number, PartitionRun>();
  /** Aborted once this generation is revoked or the processor closes: nothing of it starts then. */
  readonly stop: AbortSignal;

  constructor(closing: AbortSignal) {
    this.stop = AbortSignal.any([this.revoked.signal, closing]);
  }
}
