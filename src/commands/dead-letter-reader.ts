import type { Kafka } from 'kafkajs';
import { newestOffsets, type RangeSelection } from '../adapters/kafka/offset-range.ts';
import { topicExists } from '../adapters/kafka/topic-exists.ts';
import { readRange } from '../adapters/kafka/topic-range-reader.ts';
import { type DeadLetterView, deadLetterView } from './dead-letter-view.ts';
import { selectRanges } from './topic-selection.ts';

export interface DeadLetterReadOptions {
  /** Read only the last n records of each partition (seeking past the older ones): `dlq list --limit n`. */
  newestPerPartition?: number;
}

/**
 * Reads dead letters (all of them, or the selection) up to the high watermark at start, through a
 * throwaway group: reading the dead-letter topic never moves any group's offsets. A topic that
 * does not exist (nothing ever failed, or a wrong `--topic`) holds no dead letters; it is not created.
 */
export async function readDeadLetters(
  kafka: Kafka,
  topic: string,
  selection: RangeSelection = {},
  options: DeadLetterReadOptions = {},
): Promise<DeadLetterView[]> {
  if (!(await topicExists(kafka, topic))) return [];
  const selected = await selectRanges(kafka, topic, selection);
  const ranges =
    options.newestPerPartition === undefined ? selected : newestOffsets(selected, options.newestPerPartition);
  const views: DeadLetterView[] = [];
  await readRange({
    kafka,
    topic,
    ranges,
    groupPrefix: 'invoice-finance-sync-dlq',
    onRecord: async (record) => {
      views.push(deadLetterView(record));
    },
  });
  return views;
}
