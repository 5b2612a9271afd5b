import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { produce, testKafka } from '../helpers/kafka.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { april2026Event, smallInvoice } from '../helpers/service.ts';

describe('pusher: bad events go to the dead-letter topic with a reason, and consumption goes on', () => {
  it('dead-letters five kinds of bad input with their original bytes, then pushes the next good event', async () => {
    const pipeline = await pipelineForTest({ startService: false });
    const { env, finance, infra } = pipeline;
    const topic = env.TOPIC_LINES_INGESTED as string;
    const encode = (event: ReturnType<typeof april2026Event>) =>
      infra.codec.encode(infra.schemaIds.linesIngested, infra.contracts.linesIngested, event);

    const mismatch = april2026Event({ provider_invoice_id: 'INV-MISMATCH', total_minor: 8700 });
    const noCurrency = smallInvoice('INV-NO-CURRENCY');
    noCurrency.currency = '';
    const noLines = { ...smallInvoice('INV-NO-LINES'), lines: [], total_minor: 500 };
    const bad = [
      {
        key: 'k:not-avro',
        value: Buffer.from('{"invoice":"json, not avro"}'),
        reason: /not Confluent-framed Avro/,
      },
      {
        key: 'k:unknown-schema',
        value: Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2, 4, 6]),
        reason: /schema id 2147483632 is unknown/,
      },
      {
        key: invoiceKey(mismatch),
        value: await encode(mismatch),
        reason: /lines sum to 8692 but total_minor is 8700/,
      },
      {
        key: invoiceKey(noCurrency),
        value: await encode(noCurrency),
        reason: /^currency "" is not 3 capital letters A-Z \(ISO 4217\)/,
      },
      { key: invoiceKey(noLines), value: await encode(noLines), reason: /no lines but total_minor is 500/ },
    ];
    const good = smallInvoice('INV-GOOD-AFTER-BAD');
    await produce(testKafka(), topic, [
      ...bad.map(({ key, value }) => ({ key, value, partition: 0 })),
      { key: invoiceKey(good), value: await encode(good), partition: 0 },
    ]);

    const dlq = await pipeline.pusherDeadLetters();
    const pushed = await pipeline.pushed();
    await pipeline.startService();

    const dead = await dlq.waitFor(bad.length);
    const [announced] = await pushed.waitFor(1);
    expect(announced?.key).toBe(invoiceKey(good));
    expect(dead).toHaveLength(bad.length);
    // Different keys are processed concurrently: match dead letters by key, not by arrival order.
    bad.forEach((expected, index) => {
      const message = dead.find((m) => m.key === expected.key);
      if (!message) throw new Error(`no dead letter for ${expected.key}`);
      expect(message.value?.equals(expected.value)).toBe(true);
      expect(message.headers[DLQ_HEADER.topic]).toBe(topic);
      expect(message.headers[DLQ_HEADER.partition]).toBe('0');
      expect(message.headers[DLQ_HEADER.offset]).toBe(String(index));
      expect(message.headers[DLQ_HEADER.exceptionMessage]).toMatch(expected.reason);
      expect(message.headers[DLQ_HEADER.exceptionClass]).toMatch(/^SyncError:(EVENT_|INVOICE_|INVALID_)/);
      expect(Number(message.headers[DLQ_HEADER.timestamp])).toBeGreaterThan(Date.now() - 120_000);
    });
    expect(finance.invoices().map((row) => row.external_id)).toEqual(['INV-GOOD-AFTER-BAD']);
    await dlq.close();
    await pushed.close();
  });

  it('dead-letters a record too large for the dead-letter topic without its value, saying so, and goes on', async () => {
    const pipeline = await pipelineForTest({
      // The dead-letter topic takes less than the input topic: the original bytes plus our headers do not fit.
      topics: { TOPIC_LINES_INGESTED_DLQ: { partitions: 1, config: { 'max.message.bytes': '5000' } } },
      startService: false,
    });
    const { env, infra } = pipeline;
    const topic = env.TOPIC_LINES_INGESTED as string;
    const dlqTopic = env.TOPIC_LINES_INGESTED_DLQ as string;
    const good = smallInvoice('INV-GOOD-AFTER-HUGE');
    const huge = Buffer.concat([Buffer.from([1]), randomBytes(5_999)]); // not Avro: EVENT_UNDECODABLE
    await produce(testKafka(), topic, [
      { key: 'k:huge', value: huge, headers: { upstream: 'x'.repeat(400) }, partition: 0 },
      {
        key: invoiceKey(good),
        value: await infra.codec.encode(infra.schemaIds.linesIngested, infra.contracts.linesIngested, good),
        partition: 0,
      },
    ]);

    const dlq = await pipeline.pusherDeadLetters();
    const pushed = await pipeline.pushed();
    await pipeline.startService();

    const [dead] = await dlq.waitFor(1);
    expect(dead?.key).toBe('k:huge');
    expect(dead?.value).toBeNull();
    expect(dead?.headers[DLQ_HEADER.errorCode]).toBe('EVENT_UNDECODABLE');
    expect([
      dead?.headers[DLQ_HEADER.topic],
      dead?.headers[DLQ_HEADER.partition],
      dead?.headers[DLQ_HEADER.offset],
    ]).toEqual([topic, '0', '0']);
    expect(dead?.headers[DLQ_HEADER.valueOmitted]).toBe(
      `6000 value bytes and the record's headers left out: the dead letter was larger than ${dlqTopic} accepts; read them at the source topic, partition and offset`,
    );
    expect(dead?.headers.upstream).toBeUndefined();
    const [announced] = await pushed.waitFor(1);
    expect(announced?.key).toBe(invoiceKey(good));
    await dlq.close();
    await pushed.close();
  });
});
