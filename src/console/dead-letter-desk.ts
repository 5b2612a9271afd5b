import type { DecodedValue } from '../dead-letters/dead-letter-details.ts';
import { type DeadLetterList, deadLetterList } from '../dead-letters/dead-letter-reader.ts';
import type { DeadLetterView } from '../dead-letters/dead-letter-view.ts';
import { listDeadLetters, readDeadLetter } from '../dead-letters/dlq.ts';
import { dlqRedrive, type RedriveResult } from '../dead-letters/dlq-redrive.ts';
import type { CommandOutput } from '../operator/command-output.ts';
import type { Infrastructure } from '../service/infrastructure.ts';

/** The dead-letter topics the console offers: the pusher's and the recorder's. */
export type DeadLetterTopic = 'pusher' | 'recorder';

export interface DeadLetterDesk {
  topicName(which: DeadLetterTopic): string;
  /**
   * The newest `limit` dead letters, newest first (older ones are not even fetched, as `dlq list
   * --limit`), read within OPS_READ_MAX_RECORDS and OPS_READ_TIMEOUT_MS: `stoppedEarly` on the list
   * says when a limit cut it short.
   */
  list(which: DeadLetterTopic, limit: number): Promise<DeadLetterList>;
  show(
    which: DeadLetterTopic,
    partition: number,
    offset: bigint,
  ): Promise<{ view: DeadLetterView; value: DecodedValue }>;
  redrive(
    which: DeadLetterTopic,
    offsets: { partition: number; offset: bigint }[],
    force: boolean,
  ): Promise<RedriveResult>;
}

// The commands print as they go; the console renders what they return instead.
const SILENT: CommandOutput = { out: () => undefined, err: () => undefined };

/** The `dlq list|show|redrive` commands' own functions, so the console and the CLI agree exactly. */
export function deadLetterDesk(infra: Infrastructure): DeadLetterDesk {
  const topicName = (which: DeadLetterTopic) =>
    which === 'recorder' ? infra.config.topics.recorderDeadLetter : infra.config.topics.deadLetter;
  return {
    topicName,
    list: async (which, limit) => {
      const { maxRecords, timeoutMs } = infra.config.console.reads;
      const newest = await listDeadLetters(infra, topicName(which), {
        newestPerPartition: limit,
        limits: { maxRecords, timeoutMs },
      });
      return deadLetterList(newest.slice(-limit).reverse(), newest.stoppedEarly);
    },
    show: (which, partition, offset) => readDeadLetter(infra, { topic: topicName(which), partition, offset }),
    redrive: (which, offsets, force) =>
      dlqRedrive(infra, { topic: topicName(which), offsets, force }, SILENT),
  };
}
