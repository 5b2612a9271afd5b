import { describe, expect, it } from 'vitest';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { eventually } from '../helpers/eventually.ts';
import { produce, testKafka } from '../helpers/kafka.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { logCapture, serviceForTest, smallInvoice } from '../helpers/service.ts';

interface LogLine {
  time: string;
  msg: string;
  partition?: number;
  partitions?: number[];
  invoice_key?: string;
}

const parse = (lines: string[]) => lines.map((line) => JSON.parse(line) as LogLine);

describe('a push never outlives its partition', () => {
  it('after a rebalance, the member that lost a partition announces none of its in-flight pushes; the new owner does', async () => {
    const first = logCapture();
    const pipeline = await pipelineForTest({
      env: { KAFKA_TOPIC_PARTITIONS: '2', LOG_LEVEL: 'info' },
      financeFaults: { latencyMs: 3_000 },
      logger: first.logger,
    });
    const { env, finance, infra } = pipeline;
    const pushed = await pipeline.pushed();
    await eventually(
      () => (parse(first.lines).some((l) => l.msg === 'joined consumer group') ? true : undefined),
      {
        what: 'the first member joined',
      },
    );

    // Four invoices on each partition, all in progress (finance takes 3 s each) when the second member joins.
    const events = Array.from({ length: 8 }, (_, i) => smallInvoice(`INV-REVOKE-${i}`));
    const encode = (event: (typeof events)[number]) =>
      infra.codec.encode(infra.schemaIds.linesIngested, infra.contracts.linesIngested, event);
    await produce(
      testKafka(),
      env.TOPIC_LINES_INGESTED as string,
      await Promise.all(
        events.map(async (e, i) => ({ key: invoiceKey(e), value: await encode(e), partition: i % 2 })),
      ),
    );
    // The adaptive limit starts at 4 finance calls; the other pushes wait for a slot, in flight too.
    await eventually(() => (finance.stats().inFlight >= 4 ? true : undefined), {
      what: 'pushes in flight',
    });
    // The second member of the group, joining mid-test: the rebalance under test, not set-up.
    await serviceForTest(env, { pusher: true, recorder: false });

    // Every invoice is announced in the end, by whichever member owns its partition then.
    await eventually(
      () => (new Set(pushed.messages.map((m) => m.key)).size === events.length ? true : undefined),
      { what: 'every invoice announced', timeoutMs: 60_000 },
    );

    const lines = parse(first.lines);
    const noticed = lines.find((l) => l.msg.startsWith('rebalance under way'));
    if (!noticed) throw new Error('the first member never noticed the rebalance');
    const rejoined = lines.filter((l) => l.msg === 'joined consumer group' && l.time >= noticed.time);
    const kept = new Set(rejoined.at(-1)?.partitions ?? []);
    expect(kept.size).toBe(1); // two members, two partitions
    const announcedAfter = lines.filter((l) => l.msg === 'pushed to finance' && l.time >= noticed.time);
    const announcedForLost = announcedAfter.filter((l) => !kept.has(l.partition as number));
    expect(announcedForLost).toEqual([]);
    expect(
      lines.filter((l) => l.msg.startsWith('not announced: partition may be revoked')).length,
    ).toBeGreaterThan(0);
  });
});
