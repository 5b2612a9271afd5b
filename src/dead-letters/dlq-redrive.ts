import type { Producer } from 'kafkajs';
import { SyncError } from '../failures/errors.ts';
import { UsageError } from '../failures/usage-error.ts';
import type { Coordinates } from '../operator/cli-arguments.ts';
import { type CommandOutput, processOutput } from '../operator/command-output.ts';
import { selectRanges } from '../operator/topic-selection.ts';
import { fetchPartitionBounds } from '../platform/kafka/partition-bounds.ts';
import { topicExists } from '../platform/kafka/topic-exists.ts';
import { readGroupPrefix, readRange } from '../platform/kafka/topic-range-reader.ts';
import type { Messaging } from '../platform/messaging.ts';
import { DLQ_HEADER } from './dead-letter-headers.ts';
import { readDeadLetters } from './dead-letter-reader.ts';
import { type DeadLetterView, deadLetterId, redriveHeaders } from './dead-letter-view.ts';
import { type RedriveTarget, redriveSource, redriveTarget } from './redrive-target.ts';

/** What redrive needs: reading the dead-letter topic, and a producer to send copies back. */
export interface RedrivePlatform extends Messaging {
  producer: Producer;
}

export interface RedriveOptions {
  /** Dead-letter topic; the pusher's by default. */
  topic?: string;
  offsets?: Coordinates[];
  all?: boolean;
  /** Send again dead letters that were redriven before. */
  force?: boolean;
}

export interface Redriven {
  /** `<dlq topic>/<partition>/<offset>`, as recorded in the copy's `redrivenFrom` header. */
  from: string;
  to: { topic: string; partition: number; offset: string };
}

export interface RedriveResult {
  redriven: Redriven[];
  skipped: { from: string; why: string }[];
}

// Redriven copies are found by their record time, which is the redriving host's clock; an hour
// before the oldest dead letter covers any sane skew between that host and the service's.
const CLOCK_SKEW_MARGIN_MS = 3_600_000;

/**
 * `dlq redrive`: sends the chosen dead letters back to the configured topic they failed on (never a
 * topic a header names), on the partition they came from, with their original key and value bytes
 * and a `redrivenFrom` header saying which dead letter they are. A dead letter whose headers name
 * another topic or no partition of it is skipped, saying why (see redrive-target.ts). The
 * `redrivenFrom` header is also the record of what was redriven: a dead letter whose copy is
 * already on the source topic is skipped unless `force`, so running `--all` twice sends nothing twice.
 */
export async function dlqRedrive(
  infra: RedrivePlatform,
  options: RedriveOptions,
  output: CommandOutput = processOutput,
): Promise<RedriveResult> {
  const topic = options.topic ?? infra.config.topics.deadLetter;
  const source = redriveSource(infra.config, topic);
  const chosen = choose(await readDeadLetters(infra, topic), options, topic);
  const partitionCount = await partitionsOf(infra, source);
  const targets = new Map(chosen.map((view) => [view, redriveTarget(view, topic, source, partitionCount)]));
  const sendable = chosen.filter((view) => 'partition' in (targets.get(view) as RedriveTarget));
  const before = options.force ? new Set<string>() : await redrivenBefore(infra, source, sendable);
  const result: RedriveResult = { redriven: [], skipped: [] };
  for (const view of chosen) {
    const from = deadLetterId(view);
    const target = targets.get(view) as RedriveTarget;
    if ('why' in target || before.has(from)) {
      const why = 'why' in target ? target.why : 'redriven before';
      result.skipped.push({ from, why });
      output.out(`skipped   ${view.partition}:${view.offset}  ${why}`);
      continue;
    }
    const to = await sendBack(infra.producer, view, target);
    result.redriven.push({ from, to });
    output.out(`redriven  ${view.partition}:${view.offset} → ${to.topic} ${to.partition}:${to.offset}`);
  }
  const hint = result.skipped.some((s) => s.why === 'redriven before') ? ' (--force sends them again)' : '';
  output.err(`redrive: ${result.redriven.length} redriven, ${result.skipped.length} skipped${hint}`);
  return result;
}

function choose(views: DeadLetterView[], options: RedriveOptions, topic: string): DeadLetterView[] {
  const wanted = options.offsets ?? [];
  if (options.all === wanted.length > 0) {
    throw new UsageError('say which dead letters: --offset <partition:offset> (repeatable) or --all');
  }
  if (options.all) return views;
  const at = (c: Coordinates) =>
    views.find((v) => v.partition === c.partition && v.offset === String(c.offset));
  const missing = wanted.filter((c) => at(c) === undefined).map((c) => `${c.partition}:${c.offset}`);
  if (missing.length > 0) throw new UsageError(`${topic} has no record at ${missing.join(', ')}`);
  return wanted.map((c) => at(c) as DeadLetterView);
}

/** How many partitions the source topic has; a missing one is the operator's to create. */
async function partitionsOf(infra: RedrivePlatform, source: string): Promise<number> {
  if (!(await topicExists(infra.kafka, source))) {
    throw new UsageError(`${source}, where these dead letters go back to, does not exist`);
  }
  return (await fetchPartitionBounds(infra.kafka, source, {})).length;
}

/** Ids of the given dead letters that already have a redriven copy on the source topic. */
async function redrivenBefore(
  infra: RedrivePlatform,
  source: string,
  views: DeadLetterView[],
): Promise<Set<string>> {
  const { kafka } = infra;
  const found = new Set<string>();
  if (views.length > 0) {
    const oldest = views.reduce((min, v) => Math.min(min, v.failedAt), Number.POSITIVE_INFINITY);
    // Never below 0: Kafka reads negative times as "latest" (-1) and "earliest" (-2).
    const fromTime = new Date(Math.max(0, oldest - CLOCK_SKEW_MARGIN_MS));
    const ranges = await selectRanges(kafka, source, { fromTime });
    await readRange({
      kafka,
      topic: source,
      ranges,
      groupPrefix: readGroupPrefix(infra.config, 'dlq'),
      log: infra.log,
      onRecord: async ({ message }) => {
        const from = message.headers?.[DLQ_HEADER.redrivenFrom];
        if (from !== undefined) found.add(String(Array.isArray(from) ? from[0] : from));
      },
    });
  }
  return found;
}

/** Produces the copy durably (acks = all) to the partition it came from and says where it landed. */
async function sendBack(
  producer: Producer,
  view: DeadLetterView,
  { topic, partition }: { topic: string; partition: number },
): Promise<Redriven['to']> {
  try {
    const [landed] = await producer.send({
      topic,
      acks: -1,
      // The original's partition, not kafkajs's partitioner's choice for the key (see redrive-target.ts).
      messages: [{ key: view.keyBytes, value: view.value, headers: redriveHeaders(view), partition }],
    });
    return { topic, partition: landed?.partition ?? -1, offset: landed?.baseOffset ?? '?' };
  } catch (error) {
    throw new SyncError(
      'KAFKA_PRODUCE_FAILED',
      `redriving ${deadLetterId(view)} to ${topic} failed (the ones listed above were sent): ${(error as Error).message}`,
      { cause: error },
    );
  }
}
