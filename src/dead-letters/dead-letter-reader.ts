import { selectRanges } from '../operator/topic-selection.ts';
import { newestOffsets, type RangeSelection } from '../platform/kafka/offset-range.ts';
import type { ReadLimits, StoppedEarly } from '../platform/kafka/read-budget.ts';
import { topicExists } from '../platform/kafka/topic-exists.ts';
import { readGroupPrefix, readRange } from '../platform/kafka/topic-range-reader.ts';
import type { Messaging } from '../platform/messaging.ts';
import { type DeadLetterView, deadLetterView } from './dead-letter-view.ts';

export interface DeadLetterReadOptions {
  /** Read only the last n records of each partition (seeking past the older ones): `dlq list --limit n`. */
  newestPerPartition?: number;
  /** Records and time the read may take (the console's pages); the CLI reads its whole selection. */
  limits?: ReadLimits;
}

/**
 * Dead letters as read. An array, so every caller of a plain list keeps working; `stoppedEarly`
 * says a limit ended the read before its ranges did, so a page can say the list is partial.
 */
export type DeadLetterList = DeadLetterView[] & { stoppedEarly?: StoppedEarly };

/** `views` carrying `stoppedEarly` (when there is one), e.g. after slicing a list that had it. */
export function deadLetterList(views: DeadLetterView[], stoppedEarly?: StoppedEarly): DeadLetterList {
  return stoppedEarly ? Object.assign(views, { stoppedEarly }) : views;
}

/**
 * Reads dead letters (all of them, or the selection) up to the high watermark at start, through a
 * throwaway group deleted afterwards: reading the dead-letter topic never moves any group's
 * offsets. A topic that does not exist (nothing ever failed, or a wrong `--topic`) holds no dead
 * letters; it is not created.
 */
export async function readDeadLetters(
  infra: Messaging,
  topic: string,
  selection: RangeSelection = {},
  options: DeadLetterReadOptions = {},
): Promise<DeadLetterList> {
  const { kafka } = infra;
  if (!(await topicExists(kafka, topic))) return [];
  const selected = await selectRanges(kafka, topic, selection);
  const ranges =
    options.newestPerPartition === undefined ? selected : newestOffsets(selected, options.newestPerPartition);
  const views: DeadLetterView[] = [];
  const result = await readRange({
    kafka,
    topic,
    ranges,
    groupPrefix: readGroupPrefix(infra.config, 'dlq'),
    log: infra.log,
    limits: options.limits,
    onRecord: async (record) => {
      views.push(deadLetterView(record));
    },
  });
  return deadLetterList(views, result.stoppedEarly);
}
