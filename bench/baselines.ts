// The bare kafkajs loops the pusher is measured against, on the same broker and machine:
// - per record: `eachMessage`, one produce request (acks = -1) per record read;
// - per record with finance: the same, with one finance import per record before its produce (a signed
//   token, a 33-line invoice's JSON body, its Idempotency-Key, the answer read): the pusher's Kafka and
//   HTTP work with none of its own (decode, checks, skip check, Avro, limits, offsets);
// - batched: `eachBatch`, the whole batch in one produce request (acks = -1), then its offsets
//   committed: about the most a kafkajs consume → produce loop does, with no work per record.
import type { Kafka } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { request } from 'undici';
import { IMPORT_PATH } from '../src/platform/finance/finance-client.ts';
import { ensureTopics } from '../src/platform/kafka/kafka-client.ts';
import { waitUntil } from './bench-kit.ts';
import { BenchError } from './bench-report.ts';

export type LoopKind = 'per-record' | 'per-record-finance' | 'batched';

/** What the loop with finance sends: where, with which token, and the body of a record's invoice. */
export interface LoopFinance {
  url: string;
  token: string;
  body: (key: string) => string;
}

/**
 * Counts records arriving on a topic, read from the beginning by its own group, and their rate:
 * records per second between the first and the last record's timestamp (set by their producer), so
 * start-up (group join, the service opening its connections) is not counted, for any loop alike.
 */
export async function countRecords(kafka: Kafka, topic: string, partitions: number) {
  let seen = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const consumer = kafka.consumer({ groupId: `${topic}-count`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch }) => {
      seen += batch.messages.length;
      for (const m of batch.messages) {
        first = Math.min(first, Number(m.timestamp));
        last = Math.max(last, Number(m.timestamp));
      }
    },
  });
  return {
    seen: () => seen,
    perSecond: () => ((seen - 1) * 1000) / Math.max(1, last - first),
    close: () => consumer.disconnect(),
  };
}

export interface LoopRun {
  kafka: Kafka;
  /** Names the loop's topics and groups. */
  id: string;
  events: number;
  partitions: number;
  /** The value of every record (about an encoded invoice's size). */
  value: Buffer;
  /** For the loop with finance. */
  finance?: LoopFinance;
}

/** Runs one loop over `events` records; records per second (see `countRecords`). */
export async function bareLoop(
  kind: LoopKind,
  run: LoopRun,
): Promise<{ perSecond: number; topics: string[] }> {
  const { kafka, id, events, partitions } = run;
  const [input, output] = [`bench-${id}-${kind}-in`, `bench-${id}-${kind}-out`];
  await ensureTopics(
    kafka,
    [input, output].map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
  );
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let i = 0; i < events; i += 500) {
    const messages = Array.from({ length: Math.min(500, events - i) }, (_, j) => ({
      key: `k${i + j}`,
      value: run.value,
    }));
    await producer.send({ topic: input, acks: -1, messages });
  }
  const out = await countRecords(kafka, output, partitions);
  const consumer = kafka.consumer({ groupId: `bench-${id}-${kind}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  await consumer.run(loopConfig(kind, producer, output, run));
  await waitUntil(`the ${kind} loop's output`, () => out.seen() >= events);
  const perSecond = out.perSecond();
  await Promise.all([consumer.disconnect(), out.close(), producer.disconnect()]);
  return { perSecond, topics: [input, output] };
}

type RunConfig = Parameters<ReturnType<Kafka['consumer']>['run']>[0];

function loopConfig(
  kind: LoopKind,
  producer: ReturnType<Kafka['producer']>,
  output: string,
  { partitions, finance }: LoopRun,
): RunConfig {
  if (kind === 'batched') return batched(producer, output, partitions);
  if (kind === 'per-record') return perRecord(producer, output, partitions);
  if (!finance) throw new BenchError('the loop with finance needs a finance to call');
  return perRecordWithFinance(producer, output, partitions, finance);
}

function perRecordWithFinance(
  producer: ReturnType<Kafka['producer']>,
  output: string,
  partitions: number,
  finance: LoopFinance,
): RunConfig {
  return {
    partitionsConsumedConcurrently: partitions,
    eachMessage: async ({ message }) => {
      const key = String(message.key);
      const body = finance.body(key);
      const response = await request(`${finance.url}${IMPORT_PATH}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${finance.token}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body,
      });
      const answer = (await response.body.json()) as { data?: { id?: unknown } };
      if (response.statusCode >= 300 || answer.data?.id === undefined) {
        throw new BenchError(`finance answered ${response.statusCode}: ${JSON.stringify(answer)}`);
      }
      await producer.send({
        topic: output,
        acks: -1,
        messages: [{ key: message.key, value: message.value }],
      });
    },
  };
}

function perRecord(producer: ReturnType<Kafka['producer']>, output: string, partitions: number): RunConfig {
  return {
    partitionsConsumedConcurrently: partitions,
    eachMessage: async ({ message }) => {
      await producer.send({
        topic: output,
        acks: -1,
        messages: [{ key: message.key, value: message.value }],
      });
    },
  };
}

function batched(producer: ReturnType<Kafka['producer']>, output: string, partitions: number): RunConfig {
  return {
    partitionsConsumedConcurrently: partitions,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
      const messages = batch.messages.map((m) => ({ key: m.key, value: m.value }));
      await producer.send({ topic: output, acks: -1, messages });
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary();
    },
  };
}
