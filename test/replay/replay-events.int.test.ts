import { describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { runReplay } from '../../src/replay/replay.ts';
import type { RecordEvent, ReplayEvent } from '../../src/replay/replay-events.ts';
import { publishAt } from '../helpers/command-test-kit.ts';
import { produce, testKafka, topicReader } from '../helpers/kafka.ts';
import { financeForTest, infraForTest, smallInvoice, testEnv } from '../helpers/service.ts';

/** Runs a replay, keeping every event it tells. */
async function replayEvents(
  infra: Parameters<typeof runReplay>[0],
  options: Parameters<typeof runReplay>[1],
) {
  const events: ReplayEvent[] = [];
  const run = runReplay(infra, options, (event) => events.push(event));
  return { events, summary: await run.catch((error: unknown) => error) };
}

const records = (events: ReplayEvent[]) =>
  events
    .filter((event): event is RecordEvent => event.type === 'record')
    .sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)));

describe('replay events: the run tells one typed stream', () => {
  it('tells the range, each selected record, progress and the summary, in that order', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url });
    const topic = env.TOPIC_LINES_INGESTED as string;
    const infra = await infraForTest(env);
    const [v1, other, v2] = [
      smallInvoice('INV-EV-1'),
      smallInvoice('INV-EV-2'),
      smallInvoice('INV-EV-1', [2000, 200]),
    ];
    for (const event of [v1, other, v2]) await publishAt(infra, event, 0);
    await produce(testKafka(), topic, [{ key: 'k:not-avro', value: Buffer.from('not avro'), partition: 0 }]);

    const options = { partitions: [0], dryRun: false, progress: { everyRecords: 2 } };
    const { events } = await replayEvents(infra, options);

    expect(events[0]).toEqual({
      type: 'range',
      topic,
      dry_run: false,
      partitions: [{ partition: 0, start: '0', end: '4' }],
    });
    expect(records(events)).toEqual([
      {
        type: 'record',
        partition: 0,
        offset: '0',
        key: invoiceKey(v1),
        outcome: 'superseded',
        superseded_by: '2',
      },
      { type: 'record', partition: 0, offset: '1', key: invoiceKey(other), outcome: 'created' },
      { type: 'record', partition: 0, offset: '2', key: invoiceKey(v2), outcome: 'created' },
      {
        type: 'record',
        partition: 0,
        offset: '3',
        key: 'k:not-avro',
        outcome: 'dead_lettered',
        code: 'EVENT_UNDECODABLE',
        reason: expect.stringMatching(/^value is not/),
      },
    ]);
    const progress = events.filter((event) => event.type === 'progress');
    expect(progress.map(({ done, total }) => `${done}/${total}`)).toEqual(['2/4', '4/4']);
    expect(progress.at(-1)).toMatchObject({ pushed: 2, superseded: 1, dead_lettered: 1 });
    expect(events.at(-1)).toEqual({
      type: 'finished',
      summary: expect.objectContaining({
        read: 4,
        selected: 4,
        pushed: 2,
        created: 2,
        superseded: 1,
        dead_lettered: 1,
      }),
      progress: { done: 4, total: 4, rate: expect.any(Number) },
    });
    expect(events.filter((event) => event.type === 'finished' || event.type === 'stopped')).toHaveLength(1);
  });

  it('a budgeted failure is tried again up to PUSHER_MAX_ATTEMPTS, then dead-lettered as UNEXPECTED, as the consumer does', async () => {
    const finance = await financeForTest();
    finance.setFaults({ errorRate: 1, errorStatus: 418 }); // a status no rule covers: FINANCE_UNEXPECTED_ANSWER
    const env = testEnv({
      financeUrl: finance.url,
      env: { PUSHER_MAX_ATTEMPTS: '3', FINANCE_MAX_RETRIES: '0' },
    });
    const infra = await infraForTest(env);
    const event = smallInvoice('INV-EV-ODD');
    await publishAt(infra, event, 1);
    const dlq = await topicReader(testKafka(), env.TOPIC_LINES_INGESTED_DLQ as string);

    const { events, summary } = await replayEvents(infra, { partitions: [1], dryRun: false });

    expect(summary).toMatchObject({ selected: 1, pushed: 0, dead_lettered: 1 });
    expect(finance.stats().requests).toBe(3);
    expect(records(events)).toEqual([
      {
        type: 'record',
        partition: 1,
        offset: '0',
        key: invoiceKey(event),
        outcome: 'dead_lettered',
        code: 'UNEXPECTED',
        reason: expect.stringMatching(/^gave up after 3 attempts: finance answered something unexpected/),
      },
    ]);
    const [dead] = await dlq.waitFor(1);
    expect(dead?.headers[DLQ_HEADER.errorCode]).toBe('UNEXPECTED');
    await dlq.close();
  });

  it('a failure the consumer would pause for stops the run: its last event says why, where, and how to resume', async () => {
    const env = testEnv({ financeUrl: 'http://127.0.0.1:9', env: { FINANCE_MAX_RETRIES: '0' } });
    const infra = await infraForTest(env);
    await publishAt(infra, smallInvoice('INV-EV-DOWN'), 2);

    const { events, summary } = await replayEvents(infra, { partitions: [2], dryRun: false });

    expect(summary).toMatchObject({ code: 'FINANCE_UNAVAILABLE' });
    expect(records(events)).toEqual([]);
    expect(events.at(-1)).toEqual({
      type: 'stopped',
      cause: 'failed',
      summary: expect.objectContaining({ read: 1, selected: 1, pushed: 0, dead_lettered: 0 }),
      progress: { done: 0, total: 1, rate: 0 },
      resume_hint: 'replay: resume with --partition 2 --from-offset 0',
      error: { code: 'FINANCE_UNAVAILABLE', message: expect.any(String) },
      at: { partition: 2, offset: '0' },
    });
  });
});
