import type { Config } from '../config/config.ts';
import { UsageError } from '../failures/usage-error.ts';
import { DLQ_HEADER } from './dead-letter-headers.ts';
import type { DeadLetterView } from './dead-letter-view.ts';
import { printableLine } from './display-text.ts';

/**
 * Where `dlq redrive` may send dead letters back to. Headers are written by whoever can produce to
 * the dead-letter topic, so they never choose the topic: each dead-letter topic has one configured
 * source, and a header naming any other is refused. They do say the partition, which is kept: the
 * upstream producer's partitioner (librdkafka's murmur2-random or crc32) may differ from kafkajs's,
 * and a copy on another partition would be ordered apart from the other versions of its invoice.
 */

/** The configured source topic of a configured dead-letter topic; any other topic is refused. */
export function redriveSource(config: Pick<Config, 'topics'>, deadLetterTopic: string): string {
  const { topics } = config;
  if (deadLetterTopic === topics.deadLetter) return topics.linesIngested;
  if (deadLetterTopic === topics.recorderDeadLetter) return topics.pushedToFinance;
  throw new UsageError(
    `redrive sends dead letters back only from the configured dead-letter topics: ${topics.deadLetter} (to ${topics.linesIngested}) or ${topics.recorderDeadLetter} (to ${topics.pushedToFinance}); ${JSON.stringify(printableLine(deadLetterTopic, 300))} is neither`,
  );
}

export type RedriveTarget = { topic: string; partition: number } | { why: string };

/**
 * The one place a dead letter of `deadLetterTopic` may go: `source`, on the partition its header
 * names, if that header is a plain number below `partitionCount`. Otherwise why it is refused.
 */
export function redriveTarget(
  view: DeadLetterView,
  deadLetterTopic: string,
  source: string,
  partitionCount: number,
): RedriveTarget {
  const quoted = (name: string) => JSON.stringify(printableLine(view.headers[name] ?? '', 100));
  if (view.headers[DLQ_HEADER.valueOmitted] !== undefined) {
    // Sending it back would put a value-less record on the source topic; the original is still there.
    return {
      why: `its value was too large to dead-letter and is not in it: replay ${source} at partition ${view.headers[DLQ_HEADER.partition] ?? '?'}, offset ${view.headers[DLQ_HEADER.offset] ?? '?'} instead`,
    };
  }
  // The raw header, compared byte for byte: a look-alike (a control character, a second value) is not it.
  const topicHeader = view.rawHeaders[DLQ_HEADER.topic];
  if (topicHeader === undefined) return { why: `no ${DLQ_HEADER.topic} header` };
  if (Array.isArray(topicHeader) || String(topicHeader) !== source) {
    return {
      why: `${DLQ_HEADER.topic} ${quoted(DLQ_HEADER.topic)} is not ${source}, the one topic dead letters of ${deadLetterTopic} go back to`,
    };
  }
  const partition = view.source?.partition ?? null;
  if (view.headers[DLQ_HEADER.partition] === undefined) return { why: `no ${DLQ_HEADER.partition} header` };
  if (partition === null) {
    return { why: `${DLQ_HEADER.partition} ${quoted(DLQ_HEADER.partition)} is not a partition number` };
  }
  if (partition >= partitionCount) {
    return {
      why: `${DLQ_HEADER.partition} ${partition} is beyond ${source}'s ${partitionCount} partition(s) (0..${partitionCount - 1})`,
    };
  }
  return { topic: source, partition };
}
