import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { SyncError } from '../failures/errors.ts';
import type { Logger } from '../ops/logger.ts';
import type { KeyLanes } from './key-lanes.ts';
import { PASS_CHECK_MS, type ParkingOptions, PartitionParking, parkedByGroup } from './partition-parking.ts';
import { Generation, PartitionRun } from './partition-run.ts';
import { isRebalanceSignal } from './rebalance-signal.ts';
import { type AttemptOptions, attempt, type Halt, laneOf, toRecord } from './record-attempt.ts';
import type { RecordWindow } from './record-window.ts';

export type { ParkingOptions } from './partition-parking.ts';
export type { Halt, RecordContext, RecordHandler } from './record-attempt.ts';

/** Where to fetch a stopped partition from again once it resumes. */
export interface Rewind {
  partition: number;
  offset: string;
}

export interface BatchProcessorOptions extends AttemptOptions {
  /** The consumer group, for metrics labelled like the paused-partitions gauge. */
  groupId: string;
  lanes: KeyLanes;
  /** Records taken and not finished; the next fetch waits while it is at its high-water mark. */
  window: RecordWindow;
  log: Logger;
  heartbeatIntervalMs: number;
  /** Everything of `partition` before `nextOffset` is durable: it may be committed. */
  onDurable(partition: number, nextOffset: string): void;
  /** A failure stopped these partitions: pause them, and seek each to its offset before resuming. */
  onHalt(halt: Halt, rewind: Rewind[]): void;
  /** Set to park the records of a group (tenant) holding its share of the window, or held, in Kafka. */
  parking?: ParkingOptions;
}

/**
 * The kafkajs `eachBatch` handler. kafkajs fetches again only once every batch of a fetch has been
 * handled (its fetcher awaits them all), so waiting here for a batch's slowest push would hold every
 * other record back by it. Instead the batch's records are handed to the key lanes (concurrent
 * across keys, in order within a key) and the handler returns while the last of them still run:
 * it only waits while the record window is full, which bounds memory on a backlog. The fetch
 * position moves on at once; offsets are committed apart, only up to the first record whose outcome
 * is not durable yet (`onDurable`), so a crash can repeat work but never skip it. kafkajs heartbeats
 * between batches, and while this handler waits it heartbeats itself (tulios/kafkajs#1396). When a
 * heartbeat says a rebalance began, or kafkajs rejoins the group, the generation is revoked: nothing
 * more starts and in-flight pushes are neither announced nor committed, so the partition's next
 * owner repeats them instead of two members announcing the same event. A failure that stops a
 * partition rewinds it to its first unfinished record.
 */
export class BatchProcessor {
  readonly #options: BatchProcessorOptions;
  readonly #closing = new AbortController();
  #generation: Generation;
  readonly #passChecks: NodeJS.Timeout | undefined;

  constructor(options: BatchProcessorOptions) {
    this.#options = options;
    this.#generation = new Generation(this.#closing.signal);
    if (options.parking) {
      this.#passChecks = setInterval(() => {
        for (const [partition, run] of this.#generation.runs)
          this.#maybePass(this.#generation, run, partition);
      }, PASS_CHECK_MS);
      this.#passChecks.unref();
    }
  }

  readonly eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const generation = this.#generation;
    // Stale: fetched before a failure rewound this partition; the seek fetches it again.
    if (this.#stopped(generation) || payload.isStale()) return;
    const run = this.#runOf(generation, batch.partition);
    run.highWatermark = BigInt(batch.highWatermark);
    // kafkajs heartbeats only once this returns. Taking a backlog batch through a full window is one
    // short wait after another, minutes in all: one timer for the whole call, not one per wait (whose
    // interval a wait shorter than it never reached, so the group expelled a member still pushing).
    const heartbeat = this.#keepAlive(payload);
    const epoch = run.epoch;
    try {
      for (const message of batch.messages) {
        const step = this.#passStep(run, batch.topic, batch.partition, message);
        if (step === 'seeked') return;
        if (step === 'skip' || (step === 'new' && this.#parks(run, message))) continue;
        if (this.#options.window.full) await this.#belowHighWater(generation);
        // Not taken: a rewind (halt), the next owner (revoke) or a pass's seek fetches the rest again.
        if (run.halted || this.#stopped(generation) || run.epoch !== epoch) return;
        if (step === 'new') this.#take(generation, run, batch.topic, batch.partition, message);
        else this.#schedule(generation, run, batch.topic, batch.partition, message);
      }
    } finally {
      clearInterval(heartbeat);
    }
    // Every record taken: fetch on from after the batch; commits follow what is durable (onDurable).
    payload.resolveOffset(batch.lastOffset());
    if (!run.parking?.passing) run.nextFetch = (BigInt(batch.lastOffset()) + 1n).toString();
    else if (run.parking.passDone) this.#endPass(run, batch.partition, true);
  };

  /** A new group generation (kafkajs joined the group): whatever the last one still runs is revoked. */
  newGeneration(): void {
    this.revoke('a new group generation began');
    this.#generation = new Generation(this.#closing.signal);
  }

  /** A rebalance began: nothing more of this generation starts, in-flight work is not announced. */
  revoke(cause: unknown): void {
    const { revoked, runs } = this.#generation;
    if (revoked.signal.aborted) return;
    for (const [partition, run] of runs) {
      if (run.tracker.unfinished === 0) continue;
      this.#options.log.info(
        { partition, err: cause },
        'rebalance under way: in-flight events of this partition will not be announced',
      );
    }
    revoked.abort(new SyncError('PARTITION_REVOKED', 'the group is rebalancing: partitions may be revoked'));
  }

  /** Stops taking batches and starting records; `drained()` then waits for those in flight. */
  close(): void {
    this.#closing.abort();
    clearInterval(this.#passChecks);
  }

  /** Records parked and not read again yet, by group, across the partitions of this generation. */
  parkedByGroup() {
    return parkedByGroup([...this.#generation.runs.values()].map((run) => run.parking));
  }

  drained(): Promise<void> {
    return this.#options.window.drained();
  }

  #runOf(generation: Generation, partition: number): PartitionRun {
    const known = generation.runs.get(partition);
    // A stopped partition only sends batches again after its pause, from its rewind offset.
    if (known && !known.halted) return known;
    const run = new PartitionRun(generation.stop);
    if (this.#options.parking) run.parking = new PartitionParking();
    generation.runs.set(partition, run);
    return run;
  }

  #take(generation: Generation, run: PartitionRun, topic: string, partition: number, message: KafkaMessage) {
    run.tracker.track(message.offset);
    run.nextFetch = (BigInt(message.offset) + 1n).toString();
    this.#schedule(generation, run, topic, partition, message);
  }

  /** Runs a tracked record in its key's lane, holding room in the window until it is finished. */
  #schedule(
    generation: Generation,
    run: PartitionRun,
    topic: string,
    partition: number,
    message: KafkaMessage,
  ) {
    const { lanes, window, log, parking } = this.#options;
    const bytes = (message.key?.byteLength ?? 0) + (message.value?.byteLength ?? 0);
    const lane = laneOf(message);
    const group = parking?.groupOf(lane) ?? '';
    window.take(bytes);
    run.parking?.opened(group);
    lanes
      .run(lane, () => this.#runOne(generation, run, topic, partition, message), run.stop)
      .catch((error: unknown) =>
        log.error({ err: error, partition, offset: message.offset }, 'record failed'),
      )
      .finally(() => {
        window.finish(bytes);
        run.parking?.closed(group);
        this.#maybePass(generation, run, partition);
      });
  }

  /**
   * Where a record stands with parking: `new` past every record seen before (take or park it); during
   * a pass, `load` (a parked record to take now) or `skip` (taken before, or parked still); `seeked`
   * when the pass is over and the partition reads on from where it was.
   */
  #passStep(run: PartitionRun, topic: string, partition: number, message: KafkaMessage) {
    const parking = run.parking;
    if (!parking?.passing) return 'new';
    const offset = BigInt(message.offset);
    if (offset >= BigInt(run.nextFetch)) {
      this.#endPass(run, partition, false);
      return 'new';
    }
    if (offset < run.passFrom) return 'skip';
    const group = this.#options.parking?.groupOf(laneOf(message)) ?? '';
    // Quotas used: what else of the pass's groups this fetched batch holds is loaded while the window has room.
    const room = !this.#options.window.threeQuartersFull;
    const loaded = parking.load(group, offset, parking.passDone && room);
    for (const gone of parking.takeVanished()) {
      this.#options.log.warn(
        { topic, partition, offset: gone.toString() },
        'a parked record is no longer in the log (deleted by retention): nothing left to push',
      );
      this.#finished(run, topic, partition, gone.toString());
    }
    if (loaded) return 'load';
    if (!parking.passDone || room) return 'skip';
    this.#endPass(run, partition, true);
    return 'seeked';
  }

  /** Parks the record when its group is parked here, held, or holds its share of a half-full window. */
  #parks(run: PartitionRun, message: KafkaMessage): boolean {
    const { parking: options, lanes, window } = this.#options;
    const parking = run.parking;
    if (!options || !parking) return false;
    const group = options.groupOf(laneOf(message));
    if (!parking.isParked(group) && !options.held(group)) {
      const pending = lanes.pendingByGroup();
      const share = window.open / Math.max(1, pending.size);
      if (!window.halfFull || (pending.get(group) ?? 0) < share) return false;
    }
    parking.park(group, BigInt(message.offset), Number(message.timestamp) || Date.now());
    run.tracker.track(message.offset);
    run.nextFetch = (BigInt(message.offset) + 1n).toString();
    return true;
  }

  /**
   * Starts a pass over the partition's parked records when a group not held has few records left in
   * progress here, the window has room and the partition has been read to its end: each such group may
   * load up to its budget, the window's half shared by the partitions holding parked records.
   */
  #maybePass(generation: Generation, run: PartitionRun, partition: number): void {
    const { parking: options, window } = this.#options;
    const parking = run.parking;
    if (!options || !parking || parking.passing || parking.parked === 0) return;
    if (run.halted || this.#stopped(generation) || window.threeQuartersFull) return;
    // Reading on to the end of the log first (parking is cheap): a record of another tenant behind the
    // flood is found sooner. Unless the window runs dry meanwhile: then the parked records are the work.
    if (BigInt(run.nextFetch) < run.highWatermark && window.open * 4 >= window.highWater) return;
    let parkedRuns = 0;
    for (const other of generation.runs.values()) if (other.parking?.parked) parkedRuns++;
    const budget = Math.max(1, Math.floor(window.highWater / 2 / Math.max(1, parkedRuns)));
    const quotas = parking.passQuotas(budget, (group) => options.held(group));
    if (!quotas) return;
    run.passFrom = parking.beginPass(quotas);
    run.epoch++;
    options.seek(partition, run.passFrom.toString());
  }

  /** Ends the pass; `seek`: it ended before the records it had not seen yet, so the fetch goes back to them. */
  #endPass(run: PartitionRun, partition: number, seek: boolean): void {
    run.parking?.endPass();
    if (!seek || run.stop.aborted) return; // a revoked generation's seek would move the next one's fetch
    run.epoch++;
    this.#options.parking?.seek(partition, run.nextFetch);
  }

  #stopped(generation: Generation): boolean {
    return this.#closing.signal.aborted || generation.revoked.signal.aborted;
  }

  async #runOne(
    generation: Generation,
    run: PartitionRun,
    topic: string,
    partition: number,
    message: KafkaMessage,
  ) {
    const { signal } = generation.revoked;
    if (run.halted || signal.aborted || this.#closing.signal.aborted) return;
    const record = toRecord(topic, partition, message, this.#options.log, signal);
    const outcome = await attempt(this.#options, record).catch(
      (error: unknown) => ({ action: 'pause-partition', error }) as const,
    );
    if (outcome === 'abandoned') return;
    if (outcome !== 'done') return this.#halt(generation, run, { ...outcome, record });
    this.#finished(run, topic, partition, message.offset);
  }

  /** The record's outcome is durable: commit as far as every earlier record's is. */
  #finished(run: PartitionRun, topic: string, partition: number, offset: string): void {
    const durable = run.tracker.finish(offset);
    if (durable === undefined) return;
    const next = BigInt(durable) + 1n;
    this.#options.onDurable(partition, next.toString());
    this.#options.metrics.consumerLag.set(
      { group: this.#options.groupId, topic, partition: String(partition) },
      Number(run.highWatermark > next ? run.highWatermark - next : 0n),
    );
  }

  /** The first failure of a run stops it (a systemic one stops every run) and rewinds it. */
  #halt(generation: Generation, run: PartitionRun, halt: Halt): void {
    if (run.halted) return;
    const stopped =
      halt.action === 'pause-consumer'
        ? [...generation.runs].filter(([, other]) => !other.halted)
        : [[halt.record.partition, run] as const];
    const rewind = stopped.map(([partition, stoppedRun]) => {
      stoppedRun.halt();
      return { partition, offset: stoppedRun.tracker.firstUnfinished ?? stoppedRun.nextFetch };
    });
    this.#options.onHalt(halt, rewind);
  }

  /** Waits for room in the window (or until this generation stops). */
  #belowHighWater(generation: Generation): Promise<void> {
    return this.#options.window.belowHighWater(generation.stop);
  }

  /** Heartbeats every interval while this handler holds kafkajs (tulios/kafkajs#1396). */
  #keepAlive(payload: EachBatchPayload): NodeJS.Timeout {
    return setInterval(() => {
      payload.heartbeat().catch((error: unknown) => {
        // A timed-out heartbeat is tried again on the next tick; only the coordinator's word that a
        // rebalance began (or that it forgot this member) puts the partitions in question.
        if (isRebalanceSignal(error)) this.revoke(error);
      });
    }, this.#options.heartbeatIntervalMs);
  }
}
