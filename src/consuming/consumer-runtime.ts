import { setTimeout as setTimeout$ } from 'node:timers/promises';
import type { Consumer } from 'kafkajs';
import { SyncError } from '../failures/errors.ts';
import { systemicBackoffMs } from '../failures/failure-policy.ts';
import type { Logger } from '../ops/logger.ts';
import { whileGroupRuns } from '../platform/kafka/consumer-calls.ts';
import { AttemptBudget } from './attempt-budget.ts';
import { BatchProcessor, type Halt, type Rewind } from './batch-processor.ts';
import type { ConsumerRuntimeOptions } from './consumer-runtime-options.ts';
import type { ConsumerStatus } from './consumer-status.ts';
import { OffsetCommitter } from './offset-committer.ts';
import type { ParkedRecords } from './partition-parking.ts';
import { RecordTracing } from './record-tracing.ts';
import { RecordWindow } from './record-window.ts';

const COMMIT_INTERVAL_MS = 250; // durable offsets are committed at most 4 times a second
const RECOVERY_CHECK_INTERVAL_MS = 1_000; // how often a systemic pause checks whether what failed is back
const PARKING_FETCH_WAIT_MS = 100; // the longest an idle fetch delays a pass over parked records

export type { ConsumerRuntimeOptions } from './consumer-runtime-options.ts';

/**
 * One consumer group member: subscribes, runs the batch processor, and applies what the failure
 * policy decided (pause one partition, or the whole consumer with a growing backoff).
 */
export class ConsumerRuntime {
  readonly #options: ConsumerRuntimeOptions;
  readonly #consumer: Consumer;
  readonly #log: Logger;
  readonly #processor: BatchProcessor;
  readonly #committer: OffsetCommitter;
  /** Partitions paused after a transient failure, with the timer that resumes each. */
  readonly #partitionPauses = new Map<number, NodeJS.Timeout>();
  /** Set while a systemic failure keeps the whole topic paused. */
  #systemicPause: NodeJS.Timeout | undefined;
  #assigned: number[] = [];
  #joined = false;
  #joins = 0;
  #running = false;
  #systemicFailure: string | undefined;
  #lastSystemicFailure: ConsumerStatus['lastSystemicFailure'];
  #consecutiveSystemic = 0;

  constructor(options: ConsumerRuntimeOptions) {
    this.#options = options;
    this.#log = options.log.child({ consumer: options.name, group: options.groupId });
    this.#consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      // Above every push's deadline (checked by the configuration): a member finishing its
      // in-flight pushes during a rebalance is never expelled for it.
      rebalanceTimeout: options.rebalanceTimeoutMs,
      // kafkajs's backoff grows to 30 s between tries by default: after a broker outage the consumer
      // would sit out most of that. 5 s at most between tries brings it back soon after the broker.
      retry: { retries: 10, maxRetryTime: 5_000 },
      // An idle fetch returns after at most 1 s, so a shutdown never waits out kafkajs's 5 s default.
      // With parking, after 100 ms: a pass's seek takes effect on the next fetch, and an idle one in
      // flight would hold it back for its whole wait.
      maxWaitTimeInMs: options.parking ? PARKING_FETCH_WAIT_MS : 1_000,
      maxBytes: options.fetch.maxBytes,
      maxBytesPerPartition: options.fetch.maxBytesPerPartition,
    });
    const tracing = new RecordTracing(options.topic, options.groupId);
    this.#committer = new OffsetCommitter(tracing.commits(this.#consumer), {
      intervalMs: COMMIT_INTERVAL_MS,
      log: this.#log,
    });
    this.#processor = this.#createProcessor(tracing);
    this.#observeGroup();
  }

  #createProcessor(tracing: RecordTracing): BatchProcessor {
    const options = this.#options;
    return new BatchProcessor({
      consumer: options.name,
      groupId: options.groupId,
      handler: tracing.handler({
        handle: async (record) => {
          await options.handler.handle(record);
          this.#markHealthy();
        },
        deadLetter: (record, error) => options.handler.deadLetter(record, error),
      }),
      lanes: options.lanes,
      window: new RecordWindow(options.maxOpenRecords, options.maxOpenBytes),
      log: this.#log,
      metrics: options.metrics,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      budget: new AttemptBudget(),
      maxAttempts: options.maxAttempts,
      onDurable: (partition, nextOffset) => this.#committer.note(partition, nextOffset),
      onHalt: (halt, rewind) => this.#onHalt(halt, rewind),
      parking: options.parking && {
        ...options.parking,
        seek: (partition, offset) =>
          whileGroupRuns(() => this.#consumer.seek({ topic: options.topic, partition, offset })),
      },
    });
  }

  /** Records parked in Kafka and not read again yet, by group (with parking). */
  parkedByGroup(): Map<string, ParkedRecords> {
    return this.#processor.parkedByGroup();
  }

  #observeGroup(): void {
    const { topic } = this.#options;
    const { GROUP_JOIN, CRASH, STOP, REBALANCING } = this.#consumer.events;
    this.#consumer.on(REBALANCING, () => {
      this.#processor.revoke('kafkajs is rejoining the group');
      // Members may commit while the group prepares to rebalance: the next owner repeats less.
      void this.#committer.flush();
    });
    this.#consumer.on(GROUP_JOIN, (event) => {
      this.#processor.newGeneration();
      this.#assigned = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      this.#committer.reset(this.#assigned);
      this.#joined = true;
      this.#joins++;
      this.#log.info({ partitions: this.#assigned }, 'joined consumer group');
    });
    this.#consumer.on(CRASH, (event) => {
      this.#joined = false;
      this.#processor.revoke('the consumer crashed');
      const { error, restart } = event.payload;
      // kafkajs restarts the consumer itself after a retriable crash (e.g. a long broker outage):
      // that is worth a warning, except before the first join (a coordinator still loading on a
      // fresh broker is start-up, not trouble); only a crash it will not recover from needs a look.
      const level = this.#joins === 0 ? 'debug' : 'warn';
      if (restart) this.#log[level]({ err: error, restart }, 'consumer crashed: kafkajs restarts it');
      else this.#log.error({ err: error, restart }, 'consumer crashed and stopped');
    });
    this.#consumer.on(STOP, () => {
      this.#joined = false;
    });
  }

  async start(): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({
      topic: this.#options.topic,
      fromBeginning: this.#options.fromBeginning ?? true,
    });
    this.#running = true;
    await this.#consumer.run({
      // kafkajs would commit the fetch position; the processor fetches ahead of durable work, so
      // offsets are committed by the OffsetCommitter, only as far as outcomes are durable.
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.#options.partitionsConcurrently,
      eachBatch: this.#processor.eachBatch,
    });
  }

  /** Stops fetching, lets in-flight events finish, commits what is durable, leaves the group. */
  async stop(): Promise<void> {
    const wasRunning = this.#running;
    this.#running = false;
    for (const timer of this.#partitionPauses.values()) clearTimeout(timer);
    this.#partitionPauses.clear();
    clearTimeout(this.#systemicPause);
    this.#systemicPause = undefined;
    this.#processor.close();
    // No more fetches while the records in flight finish.
    if (wasRunning) whileGroupRuns(() => this.#consumer.pause([{ topic: this.#options.topic }]));
    await this.#processor.drained();
    await this.#committer.flush();
    this.#committer.stop();
    await this.#consumer.disconnect();
    this.#joined = false;
  }

  status(): ConsumerStatus {
    return {
      name: this.#options.name,
      groupId: this.#options.groupId,
      running: this.#running,
      joined: this.#joined,
      joins: this.#joins,
      assigned: this.#assigned,
      paused: this.#pausedPartitions(),
      systemicFailure: this.#systemicFailure,
      lastSystemicFailure: this.#lastSystemicFailure,
    };
  }

  /** A record went through: any systemic failure episode is over. */
  #markHealthy(): void {
    if (this.#systemicFailure === undefined && this.#consecutiveSystemic === 0) return;
    this.#systemicFailure = undefined;
    this.#consecutiveSystemic = 0;
  }

  #onHalt(halt: Halt, rewind: Rewind[]): void {
    const { topic, partition } = halt.record;
    const log = halt.record.log;
    // Paused before the seek, so no fetch goes on from past the failure in between.
    if (halt.action === 'pause-partition') this.#consumer.pause([{ topic, partitions: [partition] }]);
    else this.#consumer.pause([{ topic }]);
    for (const { partition: stopped, offset } of rewind)
      this.#consumer.seek({ topic, partition: stopped, offset });
    if (halt.action === 'pause-partition') {
      this.#pausePartition(topic, partition);
      log.warn(
        { err: halt.error, pause_ms: this.#options.pauseOnTransientMs },
        'transient failure: partition paused',
      );
      return;
    }
    this.#systemicFailure = halt.error instanceof Error ? halt.error.message : String(halt.error);
    this.#lastSystemicFailure = { message: this.#systemicFailure, at: new Date().toISOString() };
    // Other partitions' batches of the same fetch may fail the same way: one episode, one backoff step.
    if (this.#systemicPause) return;
    this.#consecutiveSystemic++;
    const waitMs = systemicBackoffMs(this.#options.systemicBackoffMs, this.#consecutiveSystemic);
    this.#consumer.pause([{ topic }]);
    const pause = setTimeout(() => this.#endSystemicPause(pause), waitMs);
    this.#systemicPause = pause;
    this.#setPausedGauge(topic);
    log.error({ err: halt.error, retry_in_ms: waitMs }, 'systemic failure: consumer paused, not ready');
    this.#watchRecovery(pause, halt.error, log);
  }

  /** Ends a systemic pause (if it is still the current one) and consumes again. */
  #endSystemicPause(pause: NodeJS.Timeout): void {
    if (this.#systemicPause !== pause) return;
    clearTimeout(pause);
    this.#systemicPause = undefined;
    const { topic } = this.#options;
    this.#setPausedGauge(topic);
    if (!this.#running) return;
    // Partitions still waiting out a transient pause stay paused.
    const stillPaused = [...this.#partitionPauses.keys()];
    whileGroupRuns(() => {
      this.#consumer.resume([{ topic }]);
      if (stillPaused.length > 0) this.#consumer.pause([{ topic, partitions: stillPaused }]);
    });
  }

  /** Checks the failed dependency every second during `pause`; ends the pause once it answers. */
  #watchRecovery(pause: NodeJS.Timeout, error: unknown, log: Logger): void {
    const code = error instanceof SyncError ? error.code : undefined;
    const check = code && this.#options.recoveryChecks?.[code];
    if (!check) return;
    const current = () => this.#systemicPause === pause && this.#running;
    void (async () => {
      while (current()) {
        await setTimeout$(RECOVERY_CHECK_INTERVAL_MS, undefined, { ref: false }); // never holds the process open
        if (!current()) return;
        const answers = await check().then(
          () => true,
          () => false,
        );
        if (answers && current()) {
          log.info({ code }, 'the failed dependency answers again: consuming before the backoff ends');
          this.#endSystemicPause(pause);
          return;
        }
      }
    })();
  }

  #pausePartition(topic: string, partition: number): void {
    clearTimeout(this.#partitionPauses.get(partition));
    this.#consumer.pause([{ topic, partitions: [partition] }]);
    const timer = setTimeout(() => {
      this.#partitionPauses.delete(partition);
      this.#setPausedGauge(topic);
      // During a systemic pause the whole topic resumes when that ends.
      if (this.#running && !this.#systemicPause) {
        whileGroupRuns(() => this.#consumer.resume([{ topic, partitions: [partition] }]));
      }
    }, this.#options.pauseOnTransientMs);
    this.#partitionPauses.set(partition, timer);
    this.#setPausedGauge(topic);
  }

  #pausedPartitions(): number[] {
    const paused = new Set(this.#partitionPauses.keys());
    if (this.#systemicPause) for (const p of this.#assigned) paused.add(p);
    return [...paused].sort((a, b) => a - b);
  }

  #setPausedGauge(topic: string): void {
    this.#options.metrics.pausedPartitions.set(
      { group: this.#options.groupId, topic },
      this.#pausedPartitions().length,
    );
  }
}
