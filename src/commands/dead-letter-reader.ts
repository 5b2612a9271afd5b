import type { Kafka } from 'kafkajs';
import type { RangeSelection } from '../adapters/kafka/offset-range.ts';
import { readRange } from '../adapters/kafka/topic-range-reader.ts';
import { type DeadLetterView, deadLetterView } from './dead-letter-view.ts';
import { selectRanges } from './topic-selection.ts';

/**
 * Reads dead letters (all of them, or the selection) up to the high watermark at start, through a
 * throwaway group: reading the dead-letter topic never moves any group's offsets.
 */
export async function readDeadLetters(
  kafka: Kafka,
  topic: string,
  selection: RangeSelection = {},
): Promise<DeadLetterView[]> {
  const ranges = await selectRanges(kafka, topic, selection);
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
