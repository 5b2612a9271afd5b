import { SyncError } from '../failures/errors.ts';
import type { Logger } from '../ops/logger.ts';
import { withinTime } from '../platform/time-limit.ts';

/** Commits `{partition, offset}` pairs of one topic (kafkajs `consumer.commitOffsets`). */
export type CommitOffsets = (offsets: { partition: number; offset: string }[]) => Promise<void>;

/**
 * How long one commit may take before it counts as failed and is tried again. kafkajs can leave a
 * commit sent around a broker restart unanswered for minutes (it retries it, each try waiting out
 * its request timeout); waiting on it would hold back every later commit of the group, and the
 * group's lag would stay where it was with all its work done.
 */
export const COMMIT_TIMEOUT_MS = 15_000;

/**
 * After a commit was given up on or landed late, how long the newest offsets are committed again, and
 * how often. A copy of an old commit that kafkajs retried (on a connection that came back, within its
 * request timeout and retries) can land more than once, any time in that span, each time moving the
 * group back with nothing newer to follow it.
 */
export const REASSERT_FOR_MS = 60_000;
export const REASSERT_EVERY_MS = 2_000;

/**
 * Commits the offsets that became durable, per partition, at most one commit request in flight and
 * at most one per `intervalMs`: offsets are committed apart from fetching (the consumer fetches ahead
 * of finished work), so a commit never waits for a batch and a batch never waits for a commit.
 * Only ever moves a partition's committed offset forward within one group generation; a commit it
 * gave up on that lands after newer ones is followed by the newest again.
 */
export class OffsetCommitter {
  readonly #commit: CommitOffsets;
  readonly #intervalMs: number;
  readonly #log: Logger;
  /** Next offset to commit (the first record not durable yet), by partition. */
  readonly #pending = new Map<number, bigint>();
  readonly #committed = new Map<number, bigint>();
  /** The newest offset committed of each partition this member still owns, across generations. */
  readonly #landed = new Map<number, bigint>();
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #generation = 0;
  readonly #timeoutMs: number;
  readonly #reassertTiming: { forMs: number; everyMs: number };
  /** While set: commits were in trouble, and the newest are committed again until `until`. */
  #reasserting: { until: number; timer: NodeJS.Timeout } | undefined;

  constructor(
    commit: CommitOffsets,
    options: {
      intervalMs: number;
      log: Logger;
      timeoutMs?: number;
      reassert?: { forMs: number; everyMs: number };
    },
  ) {
    this.#commit = commit;
    this.#intervalMs = options.intervalMs;
    this.#log = options.log;
    this.#timeoutMs = options.timeoutMs ?? COMMIT_TIMEOUT_MS;
    this.#reassertTiming = options.reassert ?? { forMs: REASSERT_FOR_MS, everyMs: REASSERT_EVERY_MS };
  }

  /** Stops committing again after trouble (the consumer is stopping). */
  stop(): void {
    clearInterval(this.#reasserting?.timer);
    this.#reasserting = undefined;
  }

  /** Everything before `nextOffset` of `partition` is durable. */
  note(partition: number, nextOffset: string): void {
    const next = BigInt(nextOffset);
    if (next <= (this.#pending.get(partition) ?? this.#committed.get(partition) ?? -1n)) return;
    this.#pending.set(partition, next);
    this.#flushSoon();
  }

  /** Commits what is pending now (after any commit in flight); a failure is logged and kept pending. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#inFlight) await this.#inFlight;
    if (this.#pending.size === 0) return;
    const batch = new Map(this.#pending);
    this.#pending.clear();
    const inFlight = this.#send(batch).finally(() => {
      if (this.#inFlight === inFlight) this.#inFlight = undefined;
    });
    this.#inFlight = inFlight;
    await inFlight;
  }

  /**
   * A new group generation, `assigned` these partitions: what was noted before belongs to the old
   * assignment, and a commit of the old one still in flight no longer holds back the new one's.
   */
  reset(assigned: readonly number[] = []): void {
    for (const partition of this.#landed.keys())
      if (!assigned.includes(partition)) this.#landed.delete(partition);
    this.#generation++;
    this.#inFlight = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
    this.#committed.clear();
  }

  async #send(batch: Map<number, bigint>): Promise<void> {
    const offsets = [...batch].map(([partition, offset]) => ({ partition, offset: offset.toString() }));
    const generation = this.#generation;
    const commit = this.#commit(offsets);
    // A commit given up on (timed out, or of a generation since replaced) may still land after newer
    // ones (kafkajs retries it) and move a partition back: once it lands, the newest goes again.
    commit.then(
      () => this.#reassert(batch),
      () => {},
    );
    try {
      await withinTime(
        commit,
        this.#timeoutMs,
        () => new SyncError('COMMIT_TIMEOUT', `no answer to an offset commit in ${this.#timeoutMs} ms`),
      );
      for (const [partition, offset] of batch) {
        if (offset > (this.#landed.get(partition) ?? -1n)) this.#landed.set(partition, offset);
      }
      if (generation !== this.#generation) return;
      for (const [partition, offset] of batch) this.#committed.set(partition, offset);
      this.#log.debug({ offsets }, 'committed offsets');
    } catch (error) {
      if (generation !== this.#generation) return;
      // Kept for the next flush unless something newer was noted meanwhile; a crash before then only
      // repeats work.
      for (const [partition, offset] of batch) {
        if (offset > (this.#pending.get(partition) ?? -1n)) this.#pending.set(partition, offset);
      }
      this.#flushSoon();
      if (error instanceof SyncError && error.code === 'COMMIT_TIMEOUT') this.#inTrouble();
      this.#log.warn({ err: error, offsets }, 'committing offsets failed: will try again');
    }
  }

  /** Where a commit that just landed is older than one committed since, commits the newest again. */
  #reassert(landed: Map<number, bigint>): void {
    const again: { partition: number; offset: string }[] = [];
    for (const [partition, offset] of landed) {
      // This generation's newest, or an earlier one's for a partition still ours that has had nothing new.
      const newest = this.#committed.get(partition) ?? this.#landed.get(partition);
      if (newest === undefined || newest <= offset) continue;
      if ((this.#pending.get(partition) ?? -1n) < newest) this.#pending.set(partition, newest);
      again.push({ partition, offset: newest.toString() });
    }
    if (again.length === 0) return;
    this.#flushSoon();
    this.#inTrouble();
    this.#log.info({ offsets: again }, 'an older offset commit landed late: committing the newest again');
  }

  /** Commits the newest offsets of the partitions still its own again, every so often for a while. */
  #inTrouble(): void {
    const until = Date.now() + this.#reassertTiming.forMs;
    if (this.#reasserting) {
      this.#reasserting.until = until;
      return;
    }
    const timer = setInterval(() => {
      if (!this.#reasserting || Date.now() > this.#reasserting.until) return this.stop();
      for (const [partition, offset] of this.#landed) {
        if ((this.#pending.get(partition) ?? -1n) < offset) this.#pending.set(partition, offset);
      }
      if (this.#pending.size > 0) this.#flushSoon();
    }, this.#reassertTiming.everyMs);
    timer.unref();
    this.#reasserting = { until, timer };
  }

  /** A flush within the interval, unless one is already due. */
  #flushSoon(): void {
    this.#timer ??= setTimeout(() => void this.flush(), this.#intervalMs);
  }
}
