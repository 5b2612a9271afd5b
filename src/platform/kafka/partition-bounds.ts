import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { PartitionBounds, RangeSelection } from './offset-range.ts';

const BOUNDS_ATTEMPTS = 5;
const BOUNDS_RETRY_MS = 250; // times the attempt number: 0.25 s, 0.5 s, ... 2.5 s in all

/**
 * Asks the broker what each partition holds now and where the selection's times fall.
 * kafkajs's admin offset calls give up on a retriable NOT_LEADER_FOR_PARTITION (only
 * UNKNOWN_TOPIC_OR_PARTITION is retried), which a topic created moments ago or a moved leader
 * answers; so retriable errors are retried here, each time with a fresh client and fresh metadata.
 */
export async function fetchPartitionBounds(
  kafka: Kafka,
  topic: string,
  selection: Pick<RangeSelection, 'fromTime' | 'toTime'>,
): Promise<PartitionBounds[]> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fetchBoundsOnce(kafka, topic, selection);
    } catch (error) {
      if (attempt >= BOUNDS_ATTEMPTS || (error as { retriable?: boolean }).retriable !== true) throw error;
      await sleep(BOUNDS_RETRY_MS * attempt);
    }
  }
}

async function fetchBoundsOnce(
  kafka: Kafka,
  topic: string,
  selection: Pick<RangeSelection, 'fromTime' | 'toTime'>,
): Promise<PartitionBounds[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const byTime = (time: Date | undefined) =>
      time === undefined ? undefined : admin.fetchTopicOffsetsByTimestamp(topic, time.getTime());
    const [offsets, from, afterTo] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      byTime(selection.fromTime),
      // `--to-time` is inclusive: the range ends before the first record one millisecond later.
      byTime(selection.toTime && new Date(selection.toTime.getTime() + 1)),
    ]);
    const at = (list: typeof from, partition: number) => {
      const found = list?.find((entry) => entry.partition === partition);
      return found === undefined ? undefined : BigInt(found.offset);
    };
    return offsets.map((o) => ({
      partition: o.partition,
      low: BigInt(o.low),
      high: BigInt(o.high),
      fromTimeOffset: at(from, o.partition),
      afterToTimeOffset: at(afterTo, o.partition),
    }));
  } finally {
    await admin.disconnect();
  }
}
