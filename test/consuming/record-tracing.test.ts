import type { KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordContext } from '../../src/consuming/record-attempt.ts';
import { RecordTracing } from '../../src/consuming/record-tracing.ts';
import { startTracing, type Tracing } from '../../src/ops/tracing.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../../tools/otlp-receiver/otlp-receiver.ts';
import { eventually } from '../helpers/eventually.ts';

const log = pino({ level: 'silent' });
const TOPIC = 'invoices';
type Offsets = { topic: string; partition: number; offset: string }[];

function recordAt(
  partition: number,
  offset: string,
  traceId: string,
  generation: AbortSignal,
): RecordContext {
  const message = {
    key: Buffer.from(`t:p:${offset}`),
    value: null,
    offset,
    headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
  } as unknown as KafkaMessage;
  return { topic: TOPIC, partition, offset, key: `t:p:${offset}`, message, log, signal: generation };
}

const traceIdOf = (n: number) => n.toString(16).padStart(32, 'a');

describe('RecordTracing: the consumer’s process and commit spans', () => {
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const config = {
      tracesUrl: receiver.tracesUrl,
      serviceName: 'test',
      scheduleDelayMs: 20,
      maxQueueSize: 2048,
    };
    tracing = await startTracing(config, log);
  });
  afterAll(async () => {
    await tracing.shutdown();
    await receiver.close();
  });

  const spansOf = (traceId: string, names: string[]) =>
    eventually(() => {
      const spans = receiver.spans().filter((span) => span.traceId === traceId);
      return names.every((name) => spans.some((span) => span.name === name)) ? spans : undefined;
    });

  it('spans a commit in the trace of each record it settles, again after a failed commit, never for a revoked generation', async () => {
    const commits: Offsets[] = [];
    let failNext = true;
    const tracing = new RecordTracing(TOPIC, 'group-1');
    const commit = tracing.commits({
      commitOffsets: async (offsets: Offsets) => {
        commits.push(offsets);
        if (failNext) {
          failNext = false;
          // As kafkajs fails a commit: not one of our catalogued errors.
          throw new Error('The coordinator is not available');
        }
      },
    });
    const handler = tracing.handler({ handle: async () => 'ok', deadLetter: async () => undefined });
    const current = new AbortController();
    const revoked = new AbortController();
    await handler.handle(recordAt(0, '4', traceIdOf(1), current.signal));
    await handler.handle(recordAt(0, '5', traceIdOf(2), current.signal));
    await handler.handle(recordAt(1, '7', traceIdOf(3), revoked.signal));
    revoked.abort();

    await expect(commit([{ partition: 0, offset: '5' }])).rejects.toThrow('coordinator');
    await commit([{ partition: 0, offset: '6' }]);
    await commit([{ partition: 1, offset: '8' }]);
    // A later record and commit: once its span arrived, any span of the commits before it has too.
    await handler.handle(recordAt(0, '6', traceIdOf(4), current.signal));
    await commit([{ partition: 0, offset: '7' }]);
    expect(commits).toEqual([
      [{ topic: TOPIC, partition: 0, offset: '5' }],
      [{ topic: TOPIC, partition: 0, offset: '6' }],
      [{ topic: TOPIC, partition: 1, offset: '8' }],
      [{ topic: TOPIC, partition: 0, offset: '7' }],
    ]);
    await spansOf(traceIdOf(4), [`commit ${TOPIC}`]);

    const first = await spansOf(traceIdOf(1), [`process ${TOPIC}`, `commit ${TOPIC}`]);
    const commitsOfFirst = first.filter((span) => span.name === `commit ${TOPIC}`);
    // The failed commit, then the one that settled it.
    expect(
      commitsOfFirst.map((span) => [span.statusCode, span.attributes['messaging.kafka.offset']]),
    ).toEqual(
      expect.arrayContaining([
        [2, 5],
        [0, 6],
      ]),
    );
    const process = first.find((span) => span.name === `process ${TOPIC}`);
    expect(commitsOfFirst.every((span) => span.parentSpanId === process?.spanId)).toBe(true);
    const second = await spansOf(traceIdOf(2), [`commit ${TOPIC}`]);
    expect(second.filter((span) => span.name === `commit ${TOPIC}`).map((span) => span.statusCode)).toEqual([
      0,
    ]);
    // The revoked record's offset is its next owner's to commit: no commit span in its trace.
    const third = await spansOf(traceIdOf(3), [`process ${TOPIC}`]);
    expect(third.map((span) => span.name)).toEqual([`process ${TOPIC}`]);
  });
});
