import { describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { pushedEvent } from '../fixtures/pushed-event.ts';
import { eventually } from '../helpers/eventually.ts';
import { produce, testKafka } from '../helpers/kafka.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { smallInvoice } from '../helpers/service.ts';

// The recorder's poison twin of pushed-to-finance-consumer.int.test.ts: what the pusher's
// dead-letter suite feeds the pusher, fed to the recorder. Identifiers and size: pushed-event-edges.
describe('recorder: undecodable announcements go to its dead-letter topic with their code, between recorded ones', () => {
  it('dead-letters bytes that are not Avro, an unknown schema id, a value of another schema and a tombstone, and records every valid announcement around them', async () => {
    const { env, infra, recorderDeadLetters } = await pipelineForTest({
      roles: { pusher: false, recorder: true },
      finance: null,
      secret: null,
    });
    const topic = env.TOPIC_PUSHED_TO_FINANCE as string;
    const valid = [1, 2, 3, 4, 5].map((n) => pushedEvent({ provider_invoice_id: `INV-POISON-OK-${n}` }));
    const encodedValid = await Promise.all(
      valid.map((event) =>
        infra.codec.encode(infra.schemaIds.pushedToFinance, infra.contracts.pushedToFinance, event),
      ),
    );
    const linesIngested = smallInvoice('INV-OTHER-SCHEMA');
    const bad = [
      { key: 'k:not-avro', value: Buffer.from('{"finance_invoice_id":"json"}'), code: 'EVENT_UNDECODABLE' },
      {
        key: 'k:unknown-schema',
        value: Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2, 4, 6]),
        code: 'EVENT_SCHEMA_UNKNOWN',
      },
      {
        key: invoiceKey(linesIngested),
        value: await infra.codec.encode(
          infra.schemaIds.linesIngested,
          infra.contracts.linesIngested,
          linesIngested,
        ),
        code: 'EVENT_INVALID',
      },
      { key: 'k:tombstone', value: null, code: 'EVENT_UNDECODABLE' },
    ];
    // valid, bad, valid, bad, … valid: offsets 0, 2, 4, 6, 8 are valid; 1, 3, 5, 7 are bad.
    await produce(
      testKafka(),
      topic,
      valid.flatMap((event, i) => {
        const good = { key: invoiceKey(event), value: encodedValid[i] ?? null, partition: 0 };
        const poison = bad[i];
        return poison ? [good, { key: poison.key, value: poison.value, partition: 0 }] : [good];
      }),
    );

    const dlq = await recorderDeadLetters();
    const dead = await dlq.waitFor(bad.length);
    expect(dead).toHaveLength(bad.length);
    bad.forEach((expected, i) => {
      const letter = dead.find((m) => m.headers[DLQ_HEADER.offset] === String(2 * i + 1));
      expect(letter?.key, expected.code).toBe(expected.key);
      expect(letter?.headers[DLQ_HEADER.errorCode], expected.key).toBe(expected.code);
      expect(letter?.headers[DLQ_HEADER.topic]).toBe(topic);
      expect(letter?.headers[DLQ_HEADER.partition]).toBe('0');
      expect(letter?.value ?? null).toEqual(expected.value);
    });
    const recorded = await eventually(
      async () => {
        const rows = await Promise.all(
          valid.map((event) =>
            infra.database.repository.find('platform-admin', 'digitalocean', event.provider_invoice_id),
          ),
        );
        return rows.every(Boolean) ? rows : undefined;
      },
      { what: 'the five valid announcements recorded' },
    );
    expect(recorded.map((row) => row?.finance_invoice_id)).toEqual(valid.map((e) => e.finance_invoice_id));
    expect(
      await infra.database.repository.find('platform-admin', 'digitalocean', 'INV-OTHER-SCHEMA'),
    ).toBeUndefined();
  });
});
