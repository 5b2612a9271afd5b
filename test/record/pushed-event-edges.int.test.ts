import { describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { pushedEvent } from '../fixtures/pushed-event.ts';
import { eventually } from '../helpers/eventually.ts';
import { produce, testKafka } from '../helpers/kafka.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';

describe('recorder: announcements are held to the identifier rules and the size limit', () => {
  it('dead-letters an announcement with a bad identifier or an oversized value to its own DLQ, and records the valid one after them', async () => {
    const pipeline = await pipelineForTest({
      roles: { pusher: false, recorder: true },
      finance: null,
      secret: null,
      env: { EVENT_MAX_BYTES: '4096' },
      startService: false,
    });
    const { env, infra } = pipeline;
    const encode = (event: ReturnType<typeof pushedEvent>) =>
      infra.codec.encode(infra.schemaIds.pushedToFinance, infra.contracts.pushedToFinance, event);
    // A tenant holding ':' names the same key, and would select the same row, as a valid invoice.
    const colliding = pushedEvent({
      tenant_id: 'platform-admin:digitalocean',
      provider: 'INV',
      provider_invoice_id: 'X',
    });
    const newline = pushedEvent({ provider_invoice_id: 'INV-REC-NL\n' });
    const bad = [
      {
        key: invoiceKey(colliding),
        value: await encode(colliding),
        code: 'INVALID_IDENTIFIER',
        reason: /^tenant_id "platform-admin:digitalocean" is not 1-64 characters of A-Z a-z 0-9 \. _ -/,
      },
      {
        key: invoiceKey(newline),
        value: await encode(newline),
        code: 'INVALID_IDENTIFIER',
        reason: /^provider_invoice_id "INV-REC-NL\\n" is not 1-128 printable ASCII/,
      },
      {
        key: 'k:big',
        value: Buffer.alloc(4097, 1),
        code: 'EVENT_TOO_LARGE',
        reason: /^the value is 4097 bytes, more than EVENT_MAX_BYTES \(4096\)/,
      },
    ];
    const good = pushedEvent({ provider_invoice_id: 'INV:X' });
    await produce(testKafka(), env.TOPIC_PUSHED_TO_FINANCE as string, [
      ...bad.map(({ key, value }) => ({ key, value, partition: 0 })),
      { key: invoiceKey(good), value: await encode(good), partition: 0 },
    ]);
    const dlq = await pipeline.recorderDeadLetters();
    await pipeline.startService();

    const recorded = await eventually(
      () => infra.database.repository.find('platform-admin', 'digitalocean', 'INV:X'),
      {
        what: 'the valid announcement recorded',
      },
    );
    expect(recorded?.finance_invoice_id).toBe(good.finance_invoice_id);
    const dead = await dlq.waitFor(bad.length);
    await dlq.close();
    bad.forEach((expected, offset) => {
      const letter = dead.find((m) => m.headers[DLQ_HEADER.offset] === String(offset));
      expect(letter?.headers[DLQ_HEADER.errorCode]).toBe(expected.code);
      expect(letter?.headers[DLQ_HEADER.exceptionMessage]).toMatch(expected.reason);
      expect(letter?.value?.equals(expected.value)).toBe(true);
    });
    // Nothing of the colliding tenant reached cloud_invoices.
    expect(await infra.database.repository.find('platform-admin:digitalocean', 'INV', 'X')).toBeUndefined();
  });
});
