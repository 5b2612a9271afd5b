import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { produce, testKafka, topicReader } from '../helpers/kafka.ts';
import {
  april2026Event,
  financeForTest,
  infraForTest,
  serviceForTest,
  smallInvoice,
  testEnv,
} from '../helpers/service.ts';

describe('pusher: bad events go to the dead-letter topic with a reason, and consumption goes on', () => {
  it('dead-letters five kinds of bad input with their original bytes, then pushes the next good event', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url });
    const topic = env.TOPIC_LINES_INGESTED as string;
    const infra = await infraForTest(env);
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

    const dlq = await topicReader(testKafka(), env.TOPIC_LINES_INGESTED_DLQ as string);
    const pushed = await topicReader(testKafka(), env.TOPIC_PUSHED_TO_FINANCE as string);
    await serviceForTest(env, { pusher: true, recorder: false });

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
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url });
    const topic = env.TOPIC_LINES_INGESTED as string;
    const dlqTopic = env.TOPIC_LINES_INGESTED_DLQ as string;
    // The dead-letter topic takes less than the input topic: the original bytes plus our headers do not fit.
    const admin = testKafka().admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: dlqTopic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '5000' }] },
      ],
    });
    await admin.disconnect();
    const infra = await infraForTest(env);
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

    const dlq = await topicReader(testKafka(), dlqTopic);
    const pushed = await topicReader(testKafka(), env.TOPIC_PUSHED_TO_FINANCE as string);
    await serviceForTest(env, { pusher: true, recorder: false });

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
